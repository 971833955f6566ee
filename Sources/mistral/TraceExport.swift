import Foundation
import MistralKit
import ServiceLifecycle
import Tracing

#if OTLP
import OTel
#endif

/// Where `mistral serve` sends its traces: nowhere by default; over OTLP/HTTP when an endpoint
/// is given (`--otlp-endpoint`, or the standard `OTEL_EXPORTER_OTLP_ENDPOINT` /
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and the binary was built with the `OTLP` trait
/// (`swift build --traits OTLP`). Only traces are exported; metrics stay on `/metrics`.
enum TraceExport {
    /// The tracer to give the gateway and the service that exports its spans (run it beside
    /// the gateway: on shutdown it sends what it still holds), or `nil` when no endpoint is set.
    /// Throws a `.configuration` error when an endpoint is set but this binary cannot export.
    static func make(endpoint: String?, environment: [String: String]) throws -> (tracer: any Tracer, service: any Service)? {
        let configured = endpoint ?? environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"]
        guard let configured, !configured.isEmpty else { return nil }
        #if OTLP
        var configuration = OTel.Configuration.default
        configuration.serviceName = environment["OTEL_SERVICE_NAME"] ?? "mistral-gateway"
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        if let endpoint { configuration.traces.otlpExporter.endpoint = endpoint }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (backend.factory, backend.service)
        #else
        throw MistralError(
            kind: .configuration,
            message: "Traces are to go to \(configured), but this mistral was built without the OTLP exporter: build it with 'swift build --traits OTLP'.")
        #endif
    }
}
