using System.Diagnostics.Metrics;

namespace Workshop.Downstream;

/// <summary>What the downstream saw: connections accepted and open, requests by how they were answered, idempotency keys taken.</summary>
public sealed class DownstreamMetrics
{
    public const string MeterName = "Workshop.Downstream";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _repeats;
    private long _open;
    private long _keys;

    public DownstreamMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("downstream.connections.accepted", "{connection}", "TCP connections accepted since start.");
        meter.CreateObservableGauge("downstream.connections.open", () => Interlocked.Read(ref _open), "{connection}", "TCP connections open now.");
        _requests = meter.CreateCounter<long>("downstream.requests", "{request}", "Requests answered, by the behaviour that answered them.");
        meter.CreateObservableGauge("downstream.idempotency.keys", () => Interlocked.Read(ref _keys), "{key}", "Distinct Idempotency-Key values taken (a charge each).");
        _repeats = meter.CreateCounter<long>("downstream.idempotency.repeats", "{request}", "Requests that repeated a key already taken, answered as the first was.");
    }

    public void Keyed(bool isRepeat, int distinct)
    {
        Interlocked.Exchange(ref _keys, distinct);
        if (isRepeat) _repeats.Add(1);
    }

    public void Accepted()
    {
        Interlocked.Increment(ref _open);
        _accepted.Add(1);
    }

    public void Closed() => Interlocked.Decrement(ref _open);

    public void Answered(string mode) => _requests.Add(1, new KeyValuePair<string, object?>("mode", mode));
}
