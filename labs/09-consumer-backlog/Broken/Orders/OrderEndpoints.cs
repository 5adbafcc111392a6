namespace Lab09.Orders;

/// <summary><c>GET /api/orders/consumer</c>: what the consumer has done, for an operator.</summary>
public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/orders").WithTags("Orders").MapGet("/consumer", Get);
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<ConsumerStatus> Get(BrokerConnection broker, OrderMetrics metrics) =>
        TypedResults.Ok(new ConsumerStatus(broker.IsConnected, metrics.ProcessedCount));
}

/// <summary>Whether the consumer holds a connection to the broker, and the order events it has handled.</summary>
public sealed record ConsumerStatus(bool Connected, long Processed);
