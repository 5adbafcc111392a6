using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Lab10.Stock;

/// <summary>
/// Asks the inventory backend about baskets. Calls share one connection (<see cref="InventoryConnection"/>), so each
/// gets an id, and a table of pending calls says whose each answer is: a call waits there until its answer arrives.
/// </summary>
public sealed class InventoryClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly InventoryConnection _connection;
    private readonly ILogger<InventoryClient> _logger;
    private long _nextId;

    public InventoryClient(IOptions<LabOptions> options, ILogger<InventoryClient> logger)
    {
        _logger = logger;
        _connection = new InventoryConnection(options.Value.Inventory, Answered, Closed, logger);
    }

    public async Task<StockAnswer> CheckAsync(Basket basket, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall(basket, Stopwatch.GetTimestamp());
        _pending[id] = call;
        await _connection.SendAsync(id, basket, ct);
        return await call.Answer.Task;
    }

    // An answer has come: its call leaves the table, and its caller gets the stock of each line of its basket.
    private void Answered(long id, int[] available)
    {
        if (!_pending.TryRemove(id, out var call)) return;
        var lines = call.Basket.Lines.Select((l, i) => new LineStock(l.Sku, l.Quantity, available[i], available[i] >= l.Quantity)).ToList();
        _logger.LogDebug("Basket {BasketId} answered in {Ms:0.0} ms", call.Basket.BasketId, Stopwatch.GetElapsedTime(call.Started).TotalMilliseconds);
        call.Answer.TrySetResult(new StockAnswer(call.Basket.BasketId, lines));
    }

    // The next call opens a new connection.
    private void Closed() => _logger.LogInformation("{Count} calls were waiting when the inventory connection closed", _pending.Count);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>A call waiting for its answer: the basket it asked about (the answer is read against its lines), when it started.</summary>
    private sealed class PendingCall(Basket basket, long started)
    {
        public Basket Basket { get; } = basket;

        public long Started { get; } = started;

        public TaskCompletionSource<StockAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
