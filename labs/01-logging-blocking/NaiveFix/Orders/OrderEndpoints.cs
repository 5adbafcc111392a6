using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lab01.Orders;

public static class OrderEndpoints
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 1_000;
    public const int MaxNotesLength = 8_192;
    public const long MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapGet("/{id:int}", Get);
        orders.MapPost("/", Create).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        return app;
    }

    private static Results<Ok<Order>, ProblemHttpResult> Get(int id, OrderStore store) =>
        store.Find(id) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order {id}.");

    private static Results<Created<Order>, ValidationProblem> Create(CreateOrderRequest request, OrderStore store)
    {
        var errors = Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var order = store.Add(request);
        return TypedResults.Created($"/api/orders/{order.Id}", order);
    }

    private static Dictionary<string, string[]> Validate(CreateOrderRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.CustomerId) || request.CustomerId.Length > 64)
            errors["customerId"] = ["A customer id of 1 to 64 characters is required."];
        if (request.Lines is not { Count: > 0 and <= MaxLines })
            errors["lines"] = [$"An order has 1 to {MaxLines} lines."];
        else if (request.Lines.Any(l => l is null || string.IsNullOrWhiteSpace(l.Sku) || l.Quantity is < 1 or > MaxQuantity || l.UnitPrice is < 0 or > 100_000))
            errors["lines"] = [$"Every line needs a SKU, a quantity from 1 to {MaxQuantity} and a unit price from 0 to 100,000."];
        if (request.Notes is { Length: > MaxNotesLength })
            errors["notes"] = [$"Notes are at most {MaxNotesLength} characters."];
        return errors;
    }
}
