import Foundation
import MistralKit
import MistralTestSupport
import Testing

@testable import MistralEmulator

/// `POST /v1/ocr` through the client: the emulator reads the text of simple, uncompressed PDFs.
@Suite("OCR")
struct OCRTests {
    @Test func aPDFIsReadPageByPage() async throws {
        try await withEmulatorClient { client, _ in
            let pdf = SamplePDF.make(pages: [["# Warranty", "Two years on every item (parts and labour)."], ["Claims go to support@acme.test."]])
            let response = try await client.ocr(OCRRequest(document: .pdf(pdf, name: "warranty.pdf")))
            #expect(response.pages.map(\.index) == [0, 1])
            #expect(response.pages[0].markdown == "# Warranty\nTwo years on every item (parts and labour).")
            #expect(response.pages[1].markdown == "Claims go to support@acme.test.")
            #expect(response.usageInfo == OCRUsage(pagesProcessed: 2, docSizeBytes: pdf.count))
            #expect(response.model == "mistral-ocr-latest")
            #expect(response.markdown.hasSuffix("labour).\n\nClaims go to support@acme.test."))
            let second = try await client.ocr(OCRRequest(document: .pdf(pdf), pages: [1]))
            #expect(second.pages.map(\.index) == [1])
        }
    }

    @Test func whatIsNotAReadablePDFIsABadRequest() async throws {
        try await withEmulatorClient { client, _ in
            let notPDF = await #expect(throws: MistralError.self) { try await client.ocr(OCRRequest(document: .pdf(Data("hello".utf8)))) }
            #expect(notPDF?.kind == .badRequest)
            #expect(notPDF?.message.contains("not a PDF") == true, "\(notPDF?.message ?? "")")
            let remote = await #expect(throws: MistralError.self) {
                try await client.ocr(OCRRequest(document: .documentURL("https://example.com/a.pdf")))
            }
            #expect(remote?.kind == .badRequest)
            let wrongModel = await #expect(throws: MistralError.self) {
                try await client.ocr(OCRRequest(model: "mistral-small-latest", document: .pdf(SamplePDF.make(pages: [["x"]]))))
            }
            #expect(wrongModel?.kind == .badRequest)
        }
    }

    @Test func contentStreamsAreReadWithTheirEscapes() {
        #expect(PDFTextReader.text(of: Array("BT (a \\(b\\) c) Tj T* [(d) -20 (e)] TJ ET".utf8)) == "a (b) c\nde")
        #expect(PDFTextReader.text(of: Array("0 0 m 10 10 l S".utf8)) == nil)
        #expect(throws: PDFTextReader.Failure.notAPDF) { try PDFTextReader.pages(of: Array("GIF89a".utf8)) }
    }

    @Test func requestsEncodeAsTheSpecSaysAndDecodeBack() throws {
        let request = OCRRequest(document: .documentURL("data:application/pdf;base64,AA==", name: "a.pdf"), pages: [0], includeImageBase64: false)
        let json = String(decoding: try JSONCoding.encode(request), as: UTF8.self)
        #expect(json == #"{"document":{"document_name":"a.pdf","document_url":"data:application/pdf;base64,AA==","type":"document_url"},"include_image_base64":false,"model":"mistral-ocr-latest","pages":[0]}"#)
        #expect(try JSONCoding.decode(OCRRequest.self, from: Array(json.utf8)) == request)
        let annotated = OCRRequest(
            document: .file(id: "f-1"), bboxAnnotationFormat: .jsonObject, documentAnnotationPrompt: "Find the invoice number.",
            includeBlocks: true, confidenceScoresGranularity: "page")
        let annotatedJSON = try JSONCoding.encode(annotated)
        #expect(try JSONCoding.decode(OCRRequest.self, from: annotatedJSON) == annotated)
        #expect(String(decoding: annotatedJSON, as: UTF8.self).contains(#""document_annotation_prompt":"Find the invoice number.""#))
        let image = try JSONCoding.decode(OCRDocument.self, from: Array(#"{"type":"image_url","image_url":{"url":"https://x/y.png"}}"#.utf8))
        #expect(image == .imageURL("https://x/y.png"))
    }
}
