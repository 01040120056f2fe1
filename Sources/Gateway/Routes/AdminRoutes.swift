internal import Hummingbird

/// `/api/v1/admin/metrics`: the mesh's health and the gateway's traffic, for admins only (403 for others).
extension GatewayAPI {
    struct AdminMetrics: Encodable {
        struct ServiceState: Encodable {
            var up: Bool
            var target: String
        }

        var services: [String: ServiceState]
        var uploadsTotal: Int
        var bytesUploaded: UInt64
        var bytesDownloaded: UInt64
        var requestsTotal: Int
        /// Share of requests answered 5xx since the gateway started.
        var errorRate: Double
        /// Not reported by any service yet (see README); null until they are.
        var storageBytes: UInt64?
        var users: UInt64?
        var queueDepth: UInt64?

        enum CodingKeys: String, CodingKey {
            case services, uploadsTotal, bytesUploaded, bytesDownloaded, requestsTotal, errorRate, storageBytes, users,
                queueDepth
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(services, forKey: .services)
            try container.encode(uploadsTotal, forKey: .uploadsTotal)
            try container.encode(bytesUploaded, forKey: .bytesUploaded)
            try container.encode(bytesDownloaded, forKey: .bytesDownloaded)
            try container.encode(requestsTotal, forKey: .requestsTotal)
            try container.encode(errorRate, forKey: .errorRate)
            try container.encode(storageBytes, forKey: .storageBytes)
            try container.encode(users, forKey: .users)
            try container.encode(queueDepth, forKey: .queueDepth)
        }
    }

    func registerAdmin(on router: Router<GatewayContext>) {
        router.get("/api/v1/admin/metrics") { request, _ in
            let caller = try await self.caller(request)
            guard caller.isAdmin || self.configuration.admins.contains(caller.username) else {
                throw APIError(.forbidden, "forbidden", "admins only")
            }
            let targets = self.configuration.targets
            let addresses = [
                "metadata": targets.metadata, "file-process": targets.fileProcess, "search": targets.search,
                "deletion": targets.deletion, "notification": targets.notification,
            ]
            var services: [String: AdminMetrics.ServiceState] = [:]
            await withTaskGroup(of: (String, Bool).self) { group in
                for entry in self.mesh.all {
                    group.addTask { (entry.name, await entry.client.isServing(entry.service)) }
                }
                for await (name, up) in group {
                    services[name] = .init(up: up, target: addresses[name] ?? "")
                }
            }
            let totals = self.statistics.snapshot
            let metrics = AdminMetrics(
                services: services, uploadsTotal: totals.uploads, bytesUploaded: totals.bytesUploaded,
                bytesDownloaded: totals.bytesDownloaded, requestsTotal: totals.requests,
                errorRate: totals.requests == 0 ? 0 : Double(totals.serverErrors) / Double(totals.requests))
            return JSONResponse.make(.ok, metrics)
        }
    }
}
