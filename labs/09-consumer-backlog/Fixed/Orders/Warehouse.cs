using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Lab09.Orders;

/// <summary>The warehouse system's reservation API: one call reserves an order's stock.</summary>
public sealed class Warehouse(HttpClient http)
{
    public async Task ReserveAsync(OrderPlaced order, CancellationToken ct)
    {
        var reservation = new Reservation(order.OrderId, [.. order.Lines.Select(l => new ReservedLine(l.Sku, l.Quantity))]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"reservations/{Uri.EscapeDataString(order.OrderId)}")
        {
            Content = JsonContent.Create(reservation, OrderJson.Default.Reservation),
        };
        // FIX: one reservation per order, however often the broker delivers its event: the warehouse answers a repeated key with the reservation it made.
        request.Headers.Add("Idempotency-Key", $"reserve-{order.OrderId}");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }
}

/// <summary>What the warehouse reserves for an order.</summary>
public sealed record Reservation(string OrderId, IReadOnlyList<ReservedLine> Lines);

/// <summary>A quantity of one SKU.</summary>
public sealed record ReservedLine(string Sku, int Quantity);

public static class WarehouseRegistration
{
    public static IServiceCollection AddWarehouse(this IServiceCollection services)
    {
        services.AddHttpClient<Warehouse>((provider, client) =>
        {
            client.BaseAddress = provider.GetRequiredService<IOptions<LabOptions>>().Value.Warehouse;
            client.Timeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}
