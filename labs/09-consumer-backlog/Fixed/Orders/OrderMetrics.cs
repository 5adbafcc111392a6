using System.Diagnostics.Metrics;

namespace Lab09.Orders;

/// <summary>The consumer's own figures.</summary>
public sealed class OrderMetrics
{
    public const string MeterName = "Lab09.Orders";

    private readonly Counter<long> _processed;
    private readonly UpDownCounter<long> _inProgress;
    private long _processedCount;

    public OrderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _processed = meter.CreateCounter<long>("orders.processed", "{order}", "Order events handled to the end: stock reserved and the message acknowledged.");
        _inProgress = meter.CreateUpDownCounter<long>("orders.in_progress", "{order}", "Order events being handled right now.");
    }

    /// <summary>Order events handled to the end since the service started.</summary>
    public long ProcessedCount => Interlocked.Read(ref _processedCount);

    public void Started() => _inProgress.Add(1);

    public void Finished(bool processed)
    {
        _inProgress.Add(-1);
        if (!processed) return;
        _processed.Add(1);
        Interlocked.Increment(ref _processedCount);
    }
}
