import Foundation
import GRDB

/// The company's own order system, as a sample SQLite table the order-status tool reads.
struct OrdersDatabase: Sendable {
    let queue: DatabaseQueue

    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, status TEXT NOT NULL,
                        carrier TEXT, expected_delivery TEXT);
                    INSERT OR IGNORE INTO orders VALUES ('4412', 'alice', 'shipped', 'Colissimo', '2026-11-27');
                    INSERT OR IGNORE INTO orders VALUES ('4413', 'alice', 'preparing', NULL, '2026-11-30');
                    INSERT OR IGNORE INTO orders VALUES ('5120', 'bob', 'delivered', 'DHL', '2026-11-20');
                    """)
        }
    }

    /// The customer's order numbers, newest first.
    func orderIDs(customer: String) throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM orders WHERE customer = ? ORDER BY id DESC", arguments: [customer]) }
    }

    /// The status line of order `id` for `customer`, or why there is none.
    func status(orderID: String, customer: String) throws -> String {
        try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ? AND customer = ?", arguments: [orderID, customer]) else {
                return "No order \(orderID) for this customer."
            }
            let carrier: String? = row["carrier"]
            return "Order \(orderID): \(row["status"] as String)" + (carrier.map { ", with \($0)" } ?? "")
                + ", expected on \(row["expected_delivery"] as String)."
        }
    }
}
