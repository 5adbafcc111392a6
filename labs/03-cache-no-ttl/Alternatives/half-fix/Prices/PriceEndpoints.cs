using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lab03.Prices;

public static class PriceEndpoints
{
    public const decimal MaxAmount = 100_000m;
    public const long MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapPrices(this IEndpointRouteBuilder app)
    {
        var prices = app.MapGroup("/api/prices").WithTags("Prices");
        prices.MapGet("/{sku}", Get);
        // The pricing team's back office writes new list prices to the store through this endpoint.
        prices.MapPut("/{sku}", Put).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));

        _ = app.ServiceProvider.GetRequiredService<PriceSource>();
        _ = app.ServiceProvider.GetRequiredService<PriceCache>();
        return app;
    }

    private static async Task<Results<Ok<Price>, ValidationProblem, ProblemHttpResult>> Get(
        string sku, string? currency, string? region, PriceCache cache, PriceSource source, CancellationToken ct)
    {
        if (!PriceQuery.TryCreate(sku, currency, region, out var query, out var errors)) return TypedResults.ValidationProblem(errors);
        if (cache.TryGet(query, out var cached)) return TypedResults.Ok(cached);

        var price = await source.GetAsync(query.Sku, query.Currency, query.Region, ct);
        if (price is null) return NotFound(query.Sku);
        cache.Set(query, price);
        return TypedResults.Ok(price);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Put(
        string sku, PriceChange change, PriceSource source, CancellationToken ct)
    {
        if (!PriceQuery.TryCreate(sku, null, null, out var query, out var errors)) return TypedResults.ValidationProblem(errors);
        if (change.Amount is not { } amount || amount <= 0 || amount > MaxAmount || decimal.Round(amount, 2) != amount)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["amount"] = [$"An amount in euros, above 0 and at most {MaxAmount:N0}, with at most two decimals."] });

        return await source.SetAsync(query.Sku, amount, ct) ? TypedResults.NoContent() : NotFound(query.Sku);
    }

    private static ProblemHttpResult NotFound(string sku) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Product not found", detail: $"The catalogue has no product {sku}.");
}
