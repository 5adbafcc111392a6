using System.Collections.Concurrent;

namespace Lab01.Orders;

/// <summary>The orders, in memory: the lab is about the logging around them, not about storage.</summary>
public sealed class OrderStore
{
    private readonly ConcurrentDictionary<int, Order> _orders = new();
    private readonly TimeProvider _time;
    private int _lastId;

    public OrderStore(TimeProvider time)
    {
        _time = time;
        for (var i = 0; i < 100; i++)
        {
            Add(new CreateOrderRequest($"customer-{i % 7}", [new OrderLine($"SKU-{i:000}", 1 + i % 3, 9.99m + i)], null));
        }
    }

    public Order? Find(int id) => _orders.GetValueOrDefault(id);

    public Order Add(CreateOrderRequest request)
    {
        var id = Interlocked.Increment(ref _lastId);
        var lines = request.Lines!;
        var order = new Order(id, request.CustomerId!, lines, lines.Sum(l => l.Quantity * l.UnitPrice), request.Notes, _time.GetUtcNow());
        _orders[id] = order;
        return order;
    }
}
