import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

/// One page of a file list in a requested order: the order, where the request's token continues, and the next
/// token after the rows read (one more than the page size is read, to know whether another page follows).
struct KeysetPage {
    let sort: Fileflow_V1_FileSort
    let order: FileFlowStore.FileOrder
    let size: Int
    let after: (key: PostgresValue, fileID: String)?

    init(_ request: Fileflow_V1_ListFilesRequest) throws {
        sort = request.sort
        switch request.sort {
        case .unspecified, .createdAsc: order = .createdAscending
        case .createdDesc: order = .createdDescending
        case .nameAsc: order = .nameAscending
        case .sizeDesc: order = .sizeDescending
        case .UNRECOGNIZED(let value): throw RPCError.invalid("sort \(value) is not a FileSort")
        }
        size = PageToken.pageSize(request.page.pageSize)
        switch try PageToken.parse(request.page.pageToken) {
        case .after(let sort, let id, let key)? where sort == request.sort.rawValue:
            if order == .nameAscending {
                after = (.text(key), id)
            } else if let number = Int64(key) {
                after = (.int(number), id)
            } else {
                throw RPCError.invalid("page_token is malformed")
            }
        case .after?, .offset?: throw RPCError.invalid("page_token belongs to another list or order")
        case nil: after = nil
        }
    }

    /// The first `size` rows, each with the caller's permission, and a token when more were read.
    func response(_ rows: [(file: FileRecord, permission: Int)]) -> Fileflow_V1_ListFilesResponse {
        var response = Fileflow_V1_ListFilesResponse()
        response.files = rows.prefix(size).map { Fileflow_V1_FileMetadata($0.file, permission: $0.permission) }
        response.page = Fileflow_V1_PageResponse()
        if rows.count > size, let last = rows.prefix(size).last?.file {
            let key: String
            switch order.key(of: last) {
            case .text(let text): key = text
            case .int(let number): key = String(number)
            default: key = ""
            }
            response.page.nextPageToken = PageToken.after(sort: sort.rawValue, fileID: last.fileID, key: key).encoded
        }
        return response
    }
}
