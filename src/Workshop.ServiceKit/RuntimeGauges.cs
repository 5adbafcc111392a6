using System.Diagnostics.Metrics;

namespace Workshop.ServiceKit;

/// <summary>
/// Single-number runtime gauges the charts read directly. The runtime's own meter reports the heap per
/// generation; the labs want the total, and the thread pool queue under the same name on every service.
/// </summary>
public sealed class RuntimeGauges : IDisposable
{
    public const string MeterName = "Workshop.Runtime";
    private readonly Meter _meter;

    public RuntimeGauges(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("dotnet.gc.heap.size", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By",
            "Managed heap size measured at the last garbage collection.");
        _meter.CreateObservableGauge("dotnet.gc.total_memory", () => GC.GetTotalMemory(false), "By",
            "Bytes currently thought to be allocated on the managed heap, garbage included.");
        _meter.CreateObservableGauge("workshop.thread_pool.queue.length", () => ThreadPool.PendingWorkItemCount, "{work_item}",
            "Work items queued to the thread pool and not yet started.");
        _meter.CreateObservableGauge("workshop.thread_pool.threads", () => ThreadPool.ThreadCount, "{thread}",
            "Thread pool threads that currently exist.");
    }

    public void Dispose() => _meter.Dispose();
}
