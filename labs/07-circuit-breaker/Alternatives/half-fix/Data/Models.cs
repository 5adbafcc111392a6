namespace Lab07.Data;

public sealed record Product(string Sku, string Name, decimal Price, string Currency)
{
    public static IReadOnlyList<Product> Catalog { get; } =
    [
        new("SKU-1001", "Espresso beans, 1 kg", 24.90m, "EUR"),
        new("SKU-1002", "Hand grinder", 59.00m, "EUR"),
        new("SKU-1003", "Milk jug, 600 ml", 14.50m, "EUR"),
        new("SKU-1004", "Tamper, 58 mm", 29.90m, "EUR"),
        new("SKU-1005", "Descaler, 4 doses", 9.90m, "EUR"),
        new("SKU-1006", "Paper filters, 100", 4.20m, "EUR"),
    ];
}

public sealed record CartItem(string Sku, int Quantity);

public sealed record OrderLine(string Sku, int Quantity, decimal Price);

public enum OrderStatus
{
    AwaitingPayment,
    Paid,
    Declined,
    PaymentFailed,
    PaymentUnknown, // the provider may have taken the charge; paying the order again settles it without a second one
}

public sealed record Order(string Id, IReadOnlyList<OrderLine> Lines, decimal Total, OrderStatus Status, string? PaymentReference);
