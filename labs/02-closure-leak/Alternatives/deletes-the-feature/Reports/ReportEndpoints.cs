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
        int id, HttpContext http, ReportCatalog catalog, ReportRenderer renderer, ReportAudit audit)
    {
        if (catalog.Find(id) is not { } info)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Report not found", detail: $"There is no report {id}.");

        var report = await renderer.RenderAsync(info, http.RequestAborted);
        var length = report.Length;
        http.Response.OnCompleted(() =>
        {
            audit.Sent(id, length);
            return Task.CompletedTask;
        });
        return TypedResults.Bytes(report, "text/csv", $"report-{id}.csv");
    }
}
