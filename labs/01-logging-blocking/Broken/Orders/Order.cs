namespace Lab01.Orders;

public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

public sealed record CreateOrderRequest(string? CustomerId, IReadOnlyList<OrderLine>? Lines, string? Notes);

public sealed record Order(int Id, string CustomerId, IReadOnlyList<OrderLine> Lines, decimal Total, string? Notes, DateTimeOffset CreatedAt);
