using System.Runtime;

namespace Workshop.TestKit;

/// <summary>
/// A stretch of a test in which the garbage collector does not run (<see cref="GC.TryStartNoGCRegion(long)"/>): a forced
/// interleaving for incidents a collection would hide for a while, such as leaked connections that a finalizer closes.
/// It holds the whole process, so a test that uses it runs alone (<see cref="RunsAlone"/>).
/// </summary>
public sealed class NoCollections : IDisposable
{
    /// <summary>How much the test may allocate meanwhile (the runtime caps it; this is well under its cap).</summary>
    public const long DefaultBudgetBytes = 128L * 1024 * 1024;

    private NoCollections()
    {
    }

    /// <summary>True while no collection has run since <see cref="Begin"/>: the budget has not been exceeded.</summary>
    public bool Held => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>Collects what is already garbage, then starts the region.</summary>
    /// <exception cref="InvalidOperationException">The runtime refused the region.</exception>
    public static NoCollections Begin(long budgetBytes = DefaultBudgetBytes)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!GC.TryStartNoGCRegion(budgetBytes)) throw new InvalidOperationException("The runtime refused a region without collections.");
        return new NoCollections();
    }

    /// <summary>Ends the region, if no collection has ended it already.</summary>
    public void Dispose()
    {
        if (Held) GC.EndNoGCRegion();
    }
}
