using Lab07.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab07.Checkout;

/// <summary>
/// <c>POST /api/checkout</c>: prices the cart, records the order, charges the card. <c>GET /api/orders/{id}</c>: an order.
/// <c>POST /api/orders/{id}/payment</c>: pays again an order whose payment did not go through.
/// </summary>
public static class CheckoutEndpoints
{
    public static IEndpointRouteBuilder MapCheckout(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/checkout", CheckoutAsync);
        var orders = app.MapGroup("/api/orders");
        orders.MapGet("/{id}", GetOrderAsync);
        orders.MapPost("/{id}/payment", PayAsync); // FIX: an order whose payment failed or is unknown is paid again, under its own key
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
        return await ChargeAsync(order, request.CardToken!, database, payments, metrics, context.Response);
    }

    // FIX: pays an order again with the same idempotency key, so a charge the provider took once is never taken twice
    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> PayAsync(
        string id, PaymentRequest request, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpContext context, CancellationToken ct)
    {
        var errors = request.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The order cannot be paid");

        Order? order;
        await using (var db = await database.OpenAsync(ct))
        {
            order = db.FindOrder(id);
        }
        if (order is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order", detail: $"There is no order '{id}'.");
        if (order.Status is OrderStatus.Paid or OrderStatus.Declined)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The order's payment is settled",
                detail: $"The order {id} is {order.Status}{(order.PaymentReference is { } reference ? $" ({reference})" : "")}; it cannot be paid again.");
        }
        return await ChargeAsync(order, request.CardToken!, database, payments, metrics, context.Response);
    }

    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> ChargeAsync(
        Order order, string cardToken, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpResponse response)
    {
        // FIX: the charge runs on the payment budget, not on the customer's connection: a customer who hangs up must
        // FIX: not cut a charge off half-way, leaving the provider holding money the shop knows nothing of
        var result = await payments.ChargeAsync(order, cardToken, CancellationToken.None);
        await RecordAsync(database, order, result);
        return Answer(order, result, metrics, response);
    }

    // FIX: how a charge ended is recorded whatever happens after it: on no token a customer holds, and through a pool
    // FIX: that stays busy for a whole wait, for a charge the provider took must never be lost
    private static async Task RecordAsync(ShopDatabase database, Order order, PaymentResult result)
    {
        var (status, reference) = result switch
        {
            PaymentResult.Paid paid => (OrderStatus.Paid, paid.Reference),
            PaymentResult.Declined => (OrderStatus.Declined, null),
            PaymentResult.Unknown => (OrderStatus.PaymentUnknown, null),
            _ => (OrderStatus.PaymentFailed, (string?)null),
        };
        while (true)
        {
            try
            {
                await using var db = await database.OpenAsync(CancellationToken.None);
                db.SetStatus(order.Id, status, reference);
                return;
            }
            catch (DatabaseBusyException)
            {
                // every connection stayed in use for the whole wait: wait again
            }
        }
    }

    private static Results<Created<Receipt>, ValidationProblem, ProblemHttpResult> Answer(
        Order order, PaymentResult result, ShopMetrics metrics, HttpResponse response)
    {
        switch (result)
        {
            case PaymentResult.Paid paid:
                metrics.CheckedOut("paid");
                return TypedResults.Created($"/api/orders/{order.Id}", new Receipt(order.Id, "paid", order.Total, "EUR", paid.Reference));
            case PaymentResult.Declined declined:
                metrics.CheckedOut("declined");
                return TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "The card was declined",
                    detail: $"The payment provider refused the charge ({declined.Status}).");
            // FIX: a provider that is down, slow or failing is one degraded answer: 503, when to try again, and how
            case PaymentResult.Unavailable or PaymentResult.Failed or PaymentResult.Unknown:
                metrics.CheckedOut(result is PaymentResult.Unknown ? "unknown" : "unavailable");
                var retryAfter = result is PaymentResult.Unavailable open ? open.RetryAfter : TimeSpan.FromSeconds(5);
                response.Headers.RetryAfter = $"{Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))}";
                var payAgain = $"/api/orders/{order.Id}/payment";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: result is PaymentResult.Unknown ? "The payment could not be confirmed" : "Payments are unavailable",
                    detail: $"{Why(result)}. Pay the order {order.Id} again at POST {payAgain} in a moment: the provider keys the charge by the order, so it is never taken twice.",
                    extensions: new Dictionary<string, object?> { ["orderId"] = order.Id, ["payAgain"] = payAgain });
            default:
                throw new InvalidOperationException($"Unknown payment result {result}.");
        }
    }

    // FIX: why the payment did not go through, and whether money may have moved, in the words the answer gives the customer
    private static string Why(PaymentResult result) => result switch
    {
        PaymentResult.Unavailable => "The payment provider is down and calls to it are paused; nothing was charged",
        PaymentResult.Failed failed => $"The payment failed ({failed.Reason}); nothing was charged",
        PaymentResult.Unknown unknown => $"The charge may have been taken: {unknown.Why}",
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
