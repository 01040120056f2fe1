internal import FlowMessages
internal import Hummingbird

/// Processing job status, for files the caller may see.
extension GatewayAPI {
    func registerJobs(on router: Router<GatewayContext>) {
        router.get("/api/v1/jobs/:id") { request, context in
            let caller = try await self.caller(request)
            var get = Fileflow_V1_GetJobRequest()
            get.jobID = try RequestValues.id(context, "id")
            let job = try await self.mesh.metadata.call(Fileflow_V1_MetadataService.Method.GetJob.self, get, for: caller.id)
            return JSONResponse.make(.ok, JobRepresentation(job))
        }
    }
}
