using Lab07.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab07.Checkout;

/// <summary>
/// <c>POST /api/checkout</c>: prices the cart, records the order, charges the card. <c>GET /api/orders/{id}</c>: an order.
/// <c>POST /api/orders/{id}/payment</c>: the same order charged again under its own key.
/// </summary>
public static class CheckoutEndpoints
{
    public static IEndpointRouteBuilder MapCheckout(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/checkout", CheckoutAsync);
        var orders = app.MapGroup("/api/orders");
        orders.MapGet("/{id}", GetOrderAsync);
        orders.MapPost("/{id}/payment", PayAgainAsync);
        return app;
    }

    public sealed record PayAgainRequest(string? CardToken);

    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> CheckoutAsync(
        CheckoutRequest request, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpContext context, CancellationToken ct)
    {
        var errors = request.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The checkout cannot be priced");

        var order = await PlaceAsync(database, request.Items!, ct);
        if (order is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["An item names a SKU the catalog does not have."] },
                title: "The checkout cannot be priced");
        }
        return await PayAsync(order, request.CardToken!, database, payments, metrics, context);
    }

    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> PayAgainAsync(
        string id, PayAgainRequest request, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpContext context, CancellationToken ct)
    {
        var errors = new CheckoutRequest([new CartItem("SKU-1001", 1)], request.CardToken).Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The order cannot be paid");
        Order? order;
        await using (var db = await database.OpenAsync(ct)) order = db.FindOrder(id);
        return order switch
        {
            null => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order", detail: $"There is no order '{id}'."),
            { Status: OrderStatus.PaymentFailed or OrderStatus.AwaitingPayment } => await PayAsync(order, request.CardToken!, database, payments, metrics, context),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already settled", detail: $"The order {id} is {order.Status}."),
        };
    }

    private static async Task<Order?> PlaceAsync(ShopDatabase database, IEnumerable<CartItem> items, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return db.Price(items) is { } lines ? db.InsertOrder(lines) : null;
    }

    private static async Task<Results<Created<Receipt>, ValidationProblem, ProblemHttpResult>> PayAsync(
        Order order, string cardToken, ShopDatabase database, PaymentClient payments, ShopMetrics metrics, HttpContext context)
    {
        var (outcome, detail) = await payments.ChargeAsync(order, cardToken);
        var status = outcome switch
        {
            ChargeOutcome.Paid => OrderStatus.Paid,
            ChargeOutcome.Declined => OrderStatus.Declined,
            _ => OrderStatus.PaymentFailed,
        };
        // The outcome is written whatever the customer does meanwhile, and however long the pool keeps us waiting.
        for (var written = false; !written;)
        {
            try
            {
                await using var db = await database.OpenAsync(CancellationToken.None);
                db.SetStatus(order.Id, status, outcome == ChargeOutcome.Paid ? detail : null);
                written = true;
            }
            catch (DatabaseBusyException)
            {
            }
        }
        metrics.CheckedOut(outcome.ToString().ToLowerInvariant());
        switch (outcome)
        {
            case ChargeOutcome.Paid:
                return TypedResults.Created($"/api/orders/{order.Id}", new Receipt(order.Id, "paid", order.Total, "EUR", detail));
            case ChargeOutcome.Declined:
                return TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "The card was declined", detail: $"{detail}.");
            default:
                context.Response.Headers.RetryAfter = "10";
                var payAgain = $"/api/orders/{order.Id}/payment";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Payments are unavailable",
                    detail: outcome == ChargeOutcome.Unknown
                        ? $"We could not confirm the payment ({detail}); it may have gone through. Pay again at {payAgain}: it is never charged twice."
                        : $"Nothing was charged ({detail}). Pay again at {payAgain}.",
                    extensions: new Dictionary<string, object?> { ["payAgain"] = payAgain });
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
