using System.Runtime;

namespace Workshop.TestKit;

/// <summary>
/// Managed memory that survives full, compacting collections: what a leak keeps. Tests that use it must run
/// alone (a collection with parallelisation disabled), because every thread in the process allocates.
/// </summary>
public static class Memory
{
    /// <summary>Bytes live on the managed heap after forced full blocking collections.</summary>
    public static long RetainedBytes()
    {
        for (var i = 0; i < 3; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", System.Globalization.CultureInfo.InvariantCulture) + " MB";
}
