namespace Lab10.Stock;

/// <summary>A basket the shop asks about before checkout: its lines, and what the customer wrote on it.</summary>
public sealed record Basket(string BasketId, IReadOnlyList<BasketLine> Lines, string? Note);

/// <summary>One line of a basket.</summary>
public sealed record BasketLine(string Sku, int Quantity);

/// <summary>The answer: for each line, the stock the inventory holds and whether it covers the quantity.</summary>
public sealed record StockAnswer(string BasketId, IReadOnlyList<LineStock> Lines);

/// <summary>One line's stock.</summary>
public sealed record LineStock(string Sku, int Quantity, int Available, bool Enough);
