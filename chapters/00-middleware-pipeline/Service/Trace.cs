using System.Collections.Concurrent;
using System.Diagnostics;

namespace Workshop.Pipeline;

/// <summary>One thing a layer did: who, what ("before", "after", "short-circuit 401", ...), and when, in ms since the request began.</summary>
public sealed record TraceStep(string Layer, string What, double AtMs);

/// <summary>The steps of one request, in the order they happened.</summary>
public sealed class RequestTrace
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<TraceStep> _steps = [];

    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public IReadOnlyList<TraceStep> Steps
    {
        get { lock (_steps) return [.. _steps]; }
    }

    public void Add(string layer, string what)
    {
        lock (_steps) _steps.Add(new TraceStep(layer, what, Math.Round(Stopwatch.GetElapsedTime(_started).TotalMilliseconds, 3)));
    }

    public static RequestTrace Of(HttpContext context) =>
        context.Items[typeof(RequestTrace)] as RequestTrace ?? throw new InvalidOperationException("The tracing middleware did not run first.");
}

/// <summary>The last 1,000 requests' traces, for <c>GET /traces/{id}</c>.</summary>
public sealed class TraceStore
{
    private const int Capacity = 1_000;
    private readonly ConcurrentDictionary<string, IReadOnlyList<TraceStep>> _traces = new();
    private readonly ConcurrentQueue<string> _order = new();

    public void Keep(RequestTrace trace)
    {
        _traces[trace.Id] = trace.Steps;
        _order.Enqueue(trace.Id);
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest)) _traces.TryRemove(oldest, out _);
    }

    public IReadOnlyList<TraceStep>? Find(string id) => _traces.GetValueOrDefault(id);
}
