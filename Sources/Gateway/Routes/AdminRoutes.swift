internal import FlowMessages
internal import Hummingbird

/// `/api/v1/admin/metrics`: the mesh's health, the gateway's traffic and the metadata service's whole-system figures,
/// for admins only (403 for others).
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
        /// From `MetadataService.GetSystemStats`; null (with `statsError` saying why) when that call fails, so the
        /// health and traffic figures still reach an admin whose metadata service is down.
        var storageBytes: UInt64?
        var users: UInt64?
        var files: UInt64?
        var queueDepth: UInt64?
        var statsError: String?

        init(services: [String: ServiceState], totals: GatewayStatistics.Snapshot,
             stats: Result<Fileflow_V1_SystemStats, APIError>)
        {
            self.services = services
            uploadsTotal = totals.uploads
            bytesUploaded = totals.bytesUploaded
            bytesDownloaded = totals.bytesDownloaded
            requestsTotal = totals.requests
            errorRate = totals.requests == 0 ? 0 : Double(totals.serverErrors) / Double(totals.requests)
            switch stats {
            case .success(let figures):
                storageBytes = figures.storageBytes
                users = figures.users
                files = figures.files
                queueDepth = figures.queueDepth
            case .failure(let error):
                statsError = error.message
            }
        }

        enum CodingKeys: String, CodingKey {
            case services, uploadsTotal, bytesUploaded, bytesDownloaded, requestsTotal, errorRate, storageBytes, users,
                files, queueDepth, statsError
        }

        /// Written by hand so that absent figures are explicit nulls rather than missing keys.
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
            try container.encode(files, forKey: .files)
            try container.encode(queueDepth, forKey: .queueDepth)
            try container.encode(statsError, forKey: .statsError)
        }
    }

    func registerAdmin(on router: Router<GatewayContext>) {
        router.get("/api/v1/admin/metrics") { request, _ in
            let caller = try await self.caller(request)
            guard caller.isAdmin || self.configuration.admins.contains(caller.username) else {
                throw APIError(.forbidden, "forbidden", "admins only")
            }
            async let stats = self.systemStats(for: caller.id)
            let services = await self.serviceStates()
            let metrics = AdminMetrics(services: services, totals: self.statistics.snapshot, stats: await stats)
            return JSONResponse.make(.ok, metrics)
        }
    }

    /// Each service's health answer, by name.
    private func serviceStates() async -> [String: AdminMetrics.ServiceState] {
        let targets = configuration.targets
        let addresses = [
            "metadata": targets.metadata, "file-process": targets.fileProcess, "search": targets.search,
            "deletion": targets.deletion, "notification": targets.notification,
        ]
        var services: [String: AdminMetrics.ServiceState] = [:]
        await withTaskGroup(of: (String, Bool).self) { group in
            for entry in mesh.all {
                group.addTask { (entry.name, await entry.client.isServing(entry.service)) }
            }
            for await (name, up) in group {
                services[name] = .init(up: up, target: addresses[name] ?? "")
            }
        }
        return services
    }

    /// The metadata service's figures, asked for as the admin (it checks the caller too).
    private func systemStats(for adminID: String) async -> Result<Fileflow_V1_SystemStats, APIError> {
        do {
            return .success(try await mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.GetSystemStats.self, Fileflow_V1_GetSystemStatsRequest(),
                for: adminID))
        } catch let error as APIError {
            logger.warning("system statistics unavailable", metadata: ["error": "\(error)"])
            return .failure(error)
        } catch {
            logger.warning("system statistics unavailable", metadata: ["error": "\(error)"])
            return .failure(APIError(.internalServerError, "internal", "internal error"))
        }
    }
}
