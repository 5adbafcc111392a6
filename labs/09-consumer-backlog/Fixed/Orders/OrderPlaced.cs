using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lab09.Orders;

/// <summary>What the shop publishes when a customer places an order: the order, its lines and where it goes.</summary>
public sealed record OrderPlaced(string OrderId, string CustomerId, DateTimeOffset PlacedAt, IReadOnlyList<OrderLine> Lines, Address ShipTo, string? GiftNote);

/// <summary>One line of an order.</summary>
public sealed record OrderLine(string Sku, string Description, int Quantity, decimal UnitPrice);

/// <summary>A delivery address.</summary>
public sealed record Address(string Name, string Street, string City, string PostalCode, string Country);

/// <summary>Source-generated JSON for the events and the warehouse's reservations.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrderPlaced))]
[JsonSerializable(typeof(Reservation))]
public sealed partial class OrderJson : JsonSerializerContext;
