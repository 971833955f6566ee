import HTTPTypes
import Hummingbird
import MistralKit
import NIOCore

extension Response {
    /// A JSON answer: `value` encoded (sorted keys), with `headers` and a JSON content type.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) -> Response {
        json(bytes: (try? Array(JSONCoding.encode(value))) ?? [], status: status, headers: headers)
    }

    /// A JSON answer whose body is already encoded (a relayed upstream answer).
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
