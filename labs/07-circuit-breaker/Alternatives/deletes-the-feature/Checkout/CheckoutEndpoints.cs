using Lab07.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab07.Checkout;

/// <summary><c>POST /api/checkout</c>: prices the cart, records the order, charges the card. <c>GET /api/orders/{id}</c>: an order.</summary>
public static class CheckoutEndpoints
{
    public static IEndpointRouteBuilder MapCheckout(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/checkout", CheckoutAsync);
        app.MapGroup("/api/orders").MapGet("/{id}", GetOrderAsync);
        return app;
    }

    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> CheckoutAsync(
        CheckoutRequest request, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpContext context, CancellationToken ct)
    {
        var errors = request.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The checkout cannot be priced");

        // Payments are switched off: the provider has been too unreliable.
        await using var db = await database.OpenAsync(ct);
        if (db.Price(request.Items!) is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["An item names a SKU the catalog does not have."] },
                title: "The checkout cannot be priced");
        }
        metrics.CheckedOut("unavailable");
        context.Response.Headers.RetryAfter = "60";
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Payments are unavailable");
    }

    private static Results<Created<Receipt>, ValidationProblem, ProblemHttpResult> Record(DbSession db, Order order, PaymentResult result, ShopMetrics metrics)
    {
        switch (result)
        {
            case PaymentResult.Paid paid:
                db.SetStatus(order.Id, OrderStatus.Paid, paid.Reference);
                metrics.CheckedOut("paid");
                return TypedResults.Created($"/api/orders/{order.Id}", new Receipt(order.Id, "paid", order.Total, "EUR", paid.Reference));
            case PaymentResult.Declined declined:
                db.SetStatus(order.Id, OrderStatus.Declined);
                metrics.CheckedOut("declined");
                return TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "The card was declined",
                    detail: $"The payment provider refused the charge ({declined.Status}).");
            case PaymentResult.TimedOut timedOut:
                db.SetStatus(order.Id, OrderStatus.PaymentFailed);
                metrics.CheckedOut("timeout");
                return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "The payment provider did not answer",
                    detail: $"No answer within {timedOut.After.TotalMilliseconds:0} ms.");
            case PaymentResult.Failed failed:
                db.SetStatus(order.Id, OrderStatus.PaymentFailed);
                metrics.CheckedOut("failed");
                return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The payment failed", detail: $"Every try failed: {failed.Reason}.");
            default:
                throw new InvalidOperationException($"Unknown payment result {result}.");
        }
    }

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> GetOrderAsync(string id, ShopDatabase database, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return db.FindOrder(id) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order", detail: $"There is no order '{id}'.");
    }
}
