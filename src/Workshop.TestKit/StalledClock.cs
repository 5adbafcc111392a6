namespace Workshop.TestKit;

/// <summary>
/// A clock on which the service's waits of one duration (a query, a ledger write) stall: the first
/// <c>passFirst</c> end at once (a warm-up), the next <c>stall</c> never end, and any after those run on the system
/// clock. Every wait of another duration (the host's, the metrics') runs on the system clock. A test starts the work,
/// awaits <see cref="StalledAsync"/> to know it is stuck where it wants it, then acts: a forced interleaving, no sleep.
/// </summary>
/// <param name="stalled">The duration whose waits stall: pick one no other timer of the service uses (57 ms, 123,457 ms).</param>
/// <param name="passFirst">Waits of that duration that end at once before the stalls begin.</param>
/// <param name="stall">Waits that never end after those; later ones run on the system clock.</param>
public sealed class StalledClock(TimeSpan stalled, int passFirst = 0, int stall = int.MaxValue) : TimeProvider
{
    private readonly List<(int Count, TaskCompletionSource Done)> _watchers = [];
    private int _waits;
    private int _stalls;

    /// <summary>Completes once <paramref name="count"/> waits have stalled (that many are stuck in the service now).</summary>
    public Task StalledAsync(int count = 1)
    {
        lock (_watchers)
        {
            if (_stalls >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watchers.Add((count, done));
            return done.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != stalled) return System.CreateTimer(callback, state, dueTime, period);
        var n = Interlocked.Increment(ref _waits);
        if (n <= passFirst) return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        if (n - passFirst > stall) return System.CreateTimer(callback, state, dueTime, period);
        lock (_watchers)
        {
            _stalls++;
            foreach (var watcher in _watchers.Where(w => w.Count <= _stalls).ToList())
            {
                watcher.Done.TrySetResult();
                _watchers.Remove(watcher);
            }
        }
        return new NeverFires();
    }

    private sealed class NeverFires : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
