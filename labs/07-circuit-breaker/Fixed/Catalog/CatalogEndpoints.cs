using Lab07.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab07.Catalog;

/// <summary><c>GET /api/catalog</c> and <c>GET /api/catalog/{sku}</c>: what the shop sells, at today's prices.</summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("/api/catalog");
        catalog.MapGet("/", ListAsync);
        catalog.MapGet("/{sku}", GetAsync);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<Product>>> ListAsync(ShopDatabase database, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return TypedResults.Ok(db.Products());
    }

    private static async Task<Results<Ok<Product>, ProblemHttpResult>> GetAsync(string sku, ShopDatabase database, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return db.Products().FirstOrDefault(p => p.Sku == sku) is { } product
            ? TypedResults.Ok(product)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such product", detail: $"The catalog has no SKU '{sku}'.");
    }
}
