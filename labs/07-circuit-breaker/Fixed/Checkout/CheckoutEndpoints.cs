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

        Order order;
        await using (var db = await database.OpenAsync(ct)) // FIX: the connection goes back to the pool before the provider is called
        {
            var lines = db.Price(request.Items!);
            if (lines is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["An item names a SKU the catalog does not have."] },
                    title: "The checkout cannot be priced");
            }
            order = db.InsertOrder(lines);
        }
        var result = await payments.ChargeAsync(order, request.CardToken!, ct);
        await using var done = await database.OpenAsync(ct); // FIX: a connection again only to record how the payment ended
        return Record(done, order, result, metrics, context.Response);
    }

    private static Results<Created<Receipt>, ValidationProblem, ProblemHttpResult> Record(
        DbSession db, Order order, PaymentResult result, ShopMetrics metrics, HttpResponse response)
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
            // FIX: a provider that is down, slow or failing is one degraded answer: 503, nothing charged, and when to try again
            case PaymentResult.Unavailable or PaymentResult.TimedOut or PaymentResult.Failed:
                db.SetStatus(order.Id, OrderStatus.PaymentFailed);
                metrics.CheckedOut("unavailable");
                var retryAfter = result is PaymentResult.Unavailable open ? open.RetryAfter : TimeSpan.FromSeconds(5);
                response.Headers.RetryAfter = $"{Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))}";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Payments are unavailable",
                    detail: $"Nothing was charged; the order {order.Id} can be paid again in a moment ({Why(result)}).");
            default:
                throw new InvalidOperationException($"Unknown payment result {result}.");
        }
    }

    // FIX: why payments are unavailable, in the words the degraded answer gives the customer
    private static string Why(PaymentResult result) => result switch
    {
        PaymentResult.Unavailable => "the payment provider is down; calls to it are paused",
        PaymentResult.TimedOut timedOut => $"the payment provider did not answer within {timedOut.After.TotalMilliseconds:0} ms",
        PaymentResult.Failed failed => failed.Reason,
        _ => "unknown",
    };

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> GetOrderAsync(string id, ShopDatabase database, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return db.FindOrder(id) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order", detail: $"There is no order '{id}'.");
    }
}
