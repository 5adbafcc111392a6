using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Lab01.Benchmarks;

/// <summary>
/// An alternative to <c>WriteTo.Async</c> for the request log: a bounded buffer the request path only adds to (no lock,
/// no wake-up; past its capacity an event is dropped) and a writer thread that empties it every
/// <c>interval</c>, or as soon as it is half full. <c>WriteTo.Async</c> wakes its writer for every event, and on two
/// cores that wake-up and the writer's work fall on the request's critical path (results/README.md measures both).
/// </summary>
internal sealed class BatchedWriter : ILogEventSink, IDisposable
{
    private readonly ConcurrentQueue<LogEvent> _queue = new();
    private readonly ILogEventSink _target;
    private readonly int _capacity;
    private readonly TimeSpan _interval;
    private readonly Thread _writer;
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private volatile bool _stopping;
    private int _count;

    public BatchedWriter(ILogEventSink target, int capacity, TimeSpan interval)
    {
        _target = target;
        _capacity = capacity;
        _interval = interval;
        _writer = new Thread(Run) { IsBackground = true, Name = "request log writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        var count = Interlocked.Increment(ref _count);
        if (count > _capacity)
        {
            Interlocked.Decrement(ref _count);
            return;
        }
        _queue.Enqueue(logEvent);
        if (count == _capacity / 2) _wake.Set();
    }

    private void Run()
    {
        while (!_stopping)
        {
            _wake.Wait(_interval);
            _wake.Reset();
            Drain();
        }
        Drain();
    }

    private void Drain()
    {
        while (_queue.TryDequeue(out var logEvent))
        {
            _target.Emit(logEvent);
            Interlocked.Decrement(ref _count);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _writer.Join();
        (_target as IDisposable)?.Dispose();
    }
}
