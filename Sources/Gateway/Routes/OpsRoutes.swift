internal import Hummingbird

/// `/healthz` (alive), `/readyz` (Redis and the metadata service answer: sign-in and every file route need both),
/// `/metrics` (Prometheus text) and the OpenAPI document; none needs a token.
extension GatewayAPI {
    func registerOps(on router: Router<GatewayContext>) {
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ in
            var failures: [String] = []
            if (try? await self.redis.run("return 1", keys: [], arguments: [])) == nil { failures.append("redis") }
            if await !self.mesh.metadata.isServing("fileflow.v1.MetadataService") { failures.append("metadata") }
            return failures.isEmpty
                ? Self.text("ready\n")
                : Self.text("not ready: \(failures.joined(separator: ", "))\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Self.text(self.metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                     body: ResponseBody(byteBuffer: self.openAPI))
        }
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
