using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Lab10.Stock;

/// <summary>
/// Asks the inventory backend about baskets, over one connection, with a table of pending calls. Written otherwise
/// than Fixed: a semaphore bounds the table, and one cancellation token per call (its deadline linked with the
/// caller's token) takes the entry out from a callback, instead of a <c>finally</c> after a timed wait.
/// </summary>
public sealed class InventoryClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly InventoryConnection _connection;
    private readonly ILogger<InventoryClient> _logger;
    private readonly IOptions<LabOptions> _options;
    private readonly TimeProvider _time;
    private readonly StockMetrics _metrics;
    private long _nextId;
    private readonly SemaphoreSlim _slots;

    public InventoryClient(IOptions<LabOptions> options, ILogger<InventoryClient> logger, TimeProvider time, StockMetrics metrics)
    {
        _logger = logger;
        _options = options;
        _time = time;
        _metrics = metrics;
        _slots = new SemaphoreSlim(options.Value.MaxPendingCalls, options.Value.MaxPendingCalls);
        _connection = new InventoryConnection(options.Value.Inventory, Answered, Closed, logger);
       
        metrics.Meter.CreateObservableGauge("inventory.pending_calls", () => _pending.Count, "{call}", "Calls waiting for the inventory's answer.");
    }

    public async Task<StockAnswer> CheckAsync(Basket basket, CancellationToken ct)
    {
        var lab = _options.Value;
        // A slot of MaxPendingCalls, taken without waiting, or the call is refused.
        if (!_slots.Wait(0))
        {
            _metrics.Refused();
            throw new InventoryBusyException($"{lab.MaxPendingCalls:N0} calls already wait for the inventory.");
        }
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall(basket, Stopwatch.GetTimestamp());
        // One token ends the wait: the deadline on the service's clock, or the caller giving up. Whichever fires takes
        // the entry out of the table and fails the call; an answer that comes first takes the entry itself.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(lab.CallTimeoutMs), _time);
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        _pending[id] = call;
        using var registration = ends.Token.Register(() =>
        {
            if (_pending.TryRemove(id, out var gone)) gone.Answer.TrySetCanceled(ends.Token);
        });
        try
        {
            await _connection.SendAsync(id, basket, ends.Token);
            return await call.Answer.Task;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            _metrics.TimedOut();
            throw new InventoryTimeoutException($"No answer for basket {basket.BasketId} in {lab.CallTimeoutMs:N0} ms.");
        }
        catch
        {
            _pending.TryRemove(id, out _); // a send that failed leaves no entry either
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    // An answer has come: its call leaves the table, and its caller gets the stock of each line of its basket.
    private void Answered(long id, int[] available)
    {
        if (!_pending.TryRemove(id, out var call))
        {
            _metrics.LateAnswer();
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
       
        foreach (var (id, call) in _pending)
        {
            if (_pending.TryRemove(id, out _)) call.Answer.TrySetException(new IOException("The inventory connection closed before the answer came."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _slots.Dispose();
    }

    /// <summary>A call waiting for its answer: the basket it asked about (the answer is read against its lines), when it started.</summary>
    private sealed class PendingCall(Basket basket, long started)
    {
        public Basket Basket { get; } = basket;

        public long Started { get; } = started;

        public TaskCompletionSource<StockAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The inventory did not answer a call within its deadline.</summary>
public sealed class InventoryTimeoutException(string message) : Exception(message);

/// <summary>Too many calls already wait for the inventory's answers.</summary>
public sealed class InventoryBusyException(string message) : Exception(message);
