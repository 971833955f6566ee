import Foundation
import Hummingbird
import MistralKit

extension EmulatedAPI {
    /// `POST /v1/ocr`: a PDF sent as a base64 `data:` URL, read page by page by ``PDFTextReader``.
    /// Remote URLs, images and uploaded files get a 400 saying the emulator cannot fetch them.
    func ocr(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(OCRRequest.self, from: context.body, schema: RequestSchemas.ocr)
        _ = try model(request.model) { $0.ocr }
        guard case .documentURL(let url, _) = request.document else {
            throw APIFailure.badRequest("The emulator reads PDFs sent as data: URLs only (document_url with data:application/pdf;base64,...).")
        }
        let prefix = "data:application/pdf;base64,"
        guard url.hasPrefix(prefix) else {
            throw APIFailure.badRequest("The emulator cannot fetch \(url.prefix(60)): send the PDF as data:application/pdf;base64,...")
        }
        guard let data = Data(base64Encoded: String(url.dropFirst(prefix.count))) else {
            throw APIFailure.badRequest("document_url is not valid base64.")
        }
        let texts: [String]
        do {
            texts = try PDFTextReader.pages(of: Array(data))
        } catch .notAPDF {
            throw APIFailure.badRequest("The document is not a PDF (it does not start with %PDF-).")
        } catch {
            throw APIFailure.badRequest("The PDF has no page the emulator can read.")
        }
        let wanted = request.pages.map(Set.init)
        let pages = texts.enumerated().compactMap { index, text -> OCRPage? in
            guard wanted?.contains(index) ?? true else { return nil }
            return OCRPage(index: index, markdown: text, dimensions: .object(["dpi": .int(200), "height": .int(2200), "width": .int(1700)]))
        }
        let response = OCRResponse(pages: pages, model: request.model, usageInfo: OCRUsage(pagesProcessed: pages.count, docSizeBytes: data.count))
        return try await respond(try .json(response), headers: [], context)
    }
}
