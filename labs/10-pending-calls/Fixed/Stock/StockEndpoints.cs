using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab10.Stock;

/// <summary><c>POST /api/stock/check</c>: whether the inventory holds enough of every line of a basket.</summary>
public static class StockEndpoints
{
    public const int MaxLines = 500;

    public static IEndpointRouteBuilder MapStock(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/stock").WithTags("Stock").MapPost("/check", CheckAsync);
        return app;
    }

    private static async Task<Results<Ok<StockAnswer>, ProblemHttpResult>> CheckAsync(Basket basket, InventoryClient inventory, StockMetrics metrics, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(basket.BasketId) || basket.Lines is not { Count: > 0 and <= MaxLines } || basket.Lines.Any(l => string.IsNullOrWhiteSpace(l.Sku) || l.Quantity <= 0))
        {
            metrics.Checked("invalid");
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid basket",
                detail: $"A basket has an id and 1 to {MaxLines} lines, each with a SKU and a positive quantity.");
        }
        try
        {
            var answer = await inventory.CheckAsync(basket, ct);
            metrics.Checked("answered");
            return TypedResults.Ok(answer);
        }
        catch (InventoryTimeoutException e)
        {
            // FIX: the caller hears within its deadline that the answer did not come.
            metrics.Checked("timeout");
            return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "Inventory did not answer", detail: e.Message);
        }
        catch (InventoryBusyException e)
        {
            // FIX: too many calls already wait: refused at once, with a hint when to try again.
            metrics.Checked("refused");
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Inventory busy", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = 1 });
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            metrics.Checked("unreachable");
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Inventory unreachable", detail: e.Message);
        }
    }
}
