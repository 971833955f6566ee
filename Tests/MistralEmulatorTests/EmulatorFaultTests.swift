import MistralEmulator
import Testing

@Suite("Fault header syntax")
struct EmulatorFaultTests {
    @Test(arguments: [
        ("status=503", EmulatorFault.status(503)),
        ("status=429&retry-after=2", .status(429, retryAfter: 2)),
        (" status = 500 ; retry-after = 0 ", .status(500, retryAfter: 0)),
        ("reset-before-headers", .resetBeforeHeaders),
        ("reset-after-headers", .resetAfterHeaders),
        ("cut-stream-after=3", .cutStream(afterChunks: 3)),
        ("stall-stream-after=0", .stallStream(afterChunks: 0)),
        ("malformed-json", .malformedJSON),
        ("hang", .hang),
        ("none", .noFault),
        ("delay-ms=250", .delay(.milliseconds(250))),
        ("hang,delay-ms=10", EmulatorFault.hang.delayed(by: .milliseconds(10))),
    ])
    func parses(header: String, fault: EmulatorFault) throws {
        let parsed = try EmulatorFault(headerValue: header)
        #expect(parsed == fault)
        #expect(try EmulatorFault(headerValue: parsed.headerValue) == fault)
    }

    @Test(arguments: ["", "explode", "status", "status=abc", "status=99", "hang&malformed-json", "retry-after=2", "cut-stream-after=-1"])
    func rejects(header: String) {
        #expect(throws: FaultHeaderError.self) { try EmulatorFault(headerValue: header) }
    }
}
