using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Lab07.Data;

/// <summary>
/// The shop's database: products and orders, kept in memory, reached through a pool of a few connections as a real
/// database is (Npgsql's Max Pool Size and Timeout): a caller that finds every connection in use waits for one, up to
/// <see cref="WaitTimeout"/>. The catalog, checkout and the health check all draw from the same pool.
/// </summary>
public sealed class ShopDatabase : IDisposable
{
    private readonly SemaphoreSlim _connections;
    private readonly ConcurrentDictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly ShopMetrics _metrics;
    private long _nextOrder;
    private int _waiting;

    public ShopDatabase(IOptions<LabOptions> options, ShopMetrics metrics)
    {
        PoolSize = options.Value.DbPoolSize;
        WaitTimeout = TimeSpan.FromMilliseconds(options.Value.DbWaitTimeoutMs);
        _connections = new SemaphoreSlim(PoolSize, PoolSize);
        _metrics = metrics;
        metrics.ObservePool(() => PoolSize - _connections.CurrentCount, () => Volatile.Read(ref _waiting));
    }

    public int PoolSize { get; }

    /// <summary>How long a caller waits for a free connection before giving up.</summary>
    public TimeSpan WaitTimeout { get; }

    /// <summary>Takes a connection from the pool, waiting for one if all are in use; dispose it to give it back.</summary>
    /// <exception cref="DatabaseBusyException">No connection came free within <see cref="WaitTimeout"/>.</exception>
    public async Task<DbSession> OpenAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        bool acquired;
        try
        {
            acquired = await _connections.WaitAsync(WaitTimeout, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        _metrics.WaitedForConnection(Stopwatch.GetElapsedTime(started));
        if (!acquired) throw new DatabaseBusyException(PoolSize, WaitTimeout);
        return new DbSession(this);
    }

    internal void Release() => _connections.Release();

    internal IReadOnlyList<Product> Products => Product.Catalog;

    internal Order Insert(IReadOnlyList<OrderLine> lines)
    {
        var id = $"ord-{Interlocked.Increment(ref _nextOrder):D6}";
        var order = new Order(id, lines, lines.Sum(l => l.Price * l.Quantity), OrderStatus.AwaitingPayment, PaymentReference: null);
        _orders[id] = order;
        return order;
    }

    internal Order Update(string id, OrderStatus status, string? paymentReference) =>
        _orders.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, order) => order with { Status = status, PaymentReference = paymentReference });

    internal Order? Find(string id) => _orders.GetValueOrDefault(id);

    public void Dispose() => _connections.Dispose();
}

/// <summary>One connection taken from the pool; everything the shop reads or writes goes through one.</summary>
public sealed class DbSession : IAsyncDisposable
{
    private ShopDatabase? _database;

    internal DbSession(ShopDatabase database) => _database = database;

    private ShopDatabase Database => _database ?? throw new ObjectDisposedException(nameof(DbSession));

    public IReadOnlyList<Product> Products() => Database.Products;

    /// <summary>The order's lines at today's prices; null when a SKU is not in the catalog.</summary>
    public IReadOnlyList<OrderLine>? Price(IEnumerable<CartItem> items)
    {
        var lines = new List<OrderLine>();
        foreach (var item in items)
        {
            var product = Database.Products.FirstOrDefault(p => p.Sku == item.Sku);
            if (product is null) return null;
            lines.Add(new OrderLine(product.Sku, item.Quantity, product.Price));
        }
        return lines;
    }

    public Order InsertOrder(IReadOnlyList<OrderLine> lines) => Database.Insert(lines);

    public Order SetStatus(string orderId, OrderStatus status, string? paymentReference = null) => Database.Update(orderId, status, paymentReference);

    public Order? FindOrder(string orderId) => Database.Find(orderId);

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _database, null)?.Release();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Every connection of the pool stayed in use for the whole wait.</summary>
public sealed class DatabaseBusyException(int poolSize, TimeSpan waited)
    : Exception($"All {poolSize} database connections stayed in use for {waited.TotalSeconds:0} s.");
