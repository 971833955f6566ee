#!/usr/bin/env python3
"""The support-bot example's order system as a webhook, for scripts/serve.sh: the chat service's
`order_status` tool POSTs the model's arguments ({"order_id": "4412"}) here and gets the status line.
Usage: orders_webhook.py PORT. The orders are the example's (Examples/SupportBot/OrdersDatabase.swift)."""

import http.server
import json
import sys

ORDERS = {
    "4412": ("shipped", "Colissimo", "2026-11-27"),
    "4413": ("preparing", None, "2026-11-30"),
    "5120": ("delivered", "DHL", "2026-11-20"),
}


class Orders(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        try:
            arguments = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            order_id = str(arguments.get("order_id", ""))
        except (ValueError, AttributeError):
            self.reply(400, "The arguments are not a JSON object with order_id.")
            return
        if order_id not in ORDERS:
            self.reply(200, f"No order {order_id}.")
            return
        status, carrier, expected = ORDERS[order_id]
        self.reply(200, f"Order {order_id}: {status}" + (f", with {carrier}" if carrier else "") + f", expected on {expected}.")

    def reply(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("content-type", "text/plain; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Orders).serve_forever()
