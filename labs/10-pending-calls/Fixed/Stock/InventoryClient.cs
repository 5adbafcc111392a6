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
    private readonly IOptions<LabOptions> _options; // FIX: the deadline and the bound are read per call.
    private readonly TimeProvider _time; // FIX: the deadlines' clock.
    private readonly StockMetrics _metrics;
    private long _nextId;
    private int _waiting; // FIX: calls in the table, counted as they are let in, so the bound holds under a burst.

    public InventoryClient(IOptions<LabOptions> options, ILogger<InventoryClient> logger, TimeProvider time, StockMetrics metrics)
    {
        _logger = logger;
        _options = options;
        _time = time;
        _metrics = metrics;
        _connection = new InventoryConnection(options.Value.Inventory, Answered, Closed, logger);
        // FIX: the table's size on /metrics (inventory_pending_calls): a leak shows as a line that only climbs.
        metrics.Meter.CreateObservableGauge("inventory.pending_calls", () => _pending.Count, "{call}", "Calls waiting for the inventory's answer.");
    }

    public async Task<StockAnswer> CheckAsync(Basket basket, CancellationToken ct)
    {
        var lab = _options.Value;
        // FIX: a bounded table: past MaxPendingCalls, refuse at once instead of queueing without end.
        if (Interlocked.Increment(ref _waiting) > lab.MaxPendingCalls)
        {
            Interlocked.Decrement(ref _waiting);
            _metrics.Refused();
            throw new InventoryBusyException($"{lab.MaxPendingCalls:N0} calls already wait for the inventory.");
        }
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall(basket, Stopwatch.GetTimestamp());
        try
        {
            _pending[id] = call;
            await _connection.SendAsync(id, basket, ct);
            // FIX: every call has a deadline, and the caller's cancellation ends the wait as well.
            return await call.Answer.Task.WaitAsync(TimeSpan.FromMilliseconds(lab.CallTimeoutMs), _time, ct);
        }
        catch (TimeoutException)
        {
            _metrics.TimedOut();
            throw new InventoryTimeoutException($"No answer for basket {basket.BasketId} in {lab.CallTimeoutMs:N0} ms.");
        }
        finally
        {
            // FIX: whatever ended the wait (the answer, the deadline, the caller's cancellation, a lost connection), the entry goes.
            _pending.TryRemove(id, out _);
            Interlocked.Decrement(ref _waiting);
        }
    }

    // An answer has come: its call leaves the table, and its caller gets the stock of each line of its basket.
    private void Answered(long id, int[] available)
    {
        if (!_pending.TryRemove(id, out var call))
        {
            _metrics.LateAnswer(); // FIX: an answer after its call gave up: counted, and dropped.
            return;
        }
        var lines = call.Basket.Lines.Select((l, i) => new LineStock(l.Sku, l.Quantity, available[i], available[i] >= l.Quantity)).ToList();
        _logger.LogDebug("Basket {BasketId} answered in {Ms:0.0} ms", call.Basket.BasketId, Stopwatch.GetElapsedTime(call.Started).TotalMilliseconds);
        call.Answer.TrySetResult(new StockAnswer(call.Basket.BasketId, lines));
    }

    // The next call opens a new connection.
    private void Closed()
    {
        _logger.LogInformation("{Count} calls were waiting when the inventory connection closed", _pending.Count);
        // FIX: no answer will come on a closed connection: every call waiting on it fails now, not at its deadline.
        foreach (var (id, call) in _pending)
        {
            if (_pending.TryRemove(id, out _)) call.Answer.TrySetException(new IOException("The inventory connection closed before the answer came."));
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>A call waiting for its answer: the basket it asked about (the answer is read against its lines), when it started.</summary>
    private sealed class PendingCall(Basket basket, long started)
    {
        public Basket Basket { get; } = basket;

        public long Started { get; } = started;

        public TaskCompletionSource<StockAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

// FIX: how a call ends when its answer does not come, or when too many already wait.
/// <summary>The inventory did not answer a call within its deadline.</summary>
public sealed class InventoryTimeoutException(string message) : Exception(message);

/// <summary>Too many calls already wait for the inventory's answers.</summary>
public sealed class InventoryBusyException(string message) : Exception(message);
