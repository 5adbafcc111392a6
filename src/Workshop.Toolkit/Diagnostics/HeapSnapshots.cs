using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>The objects of one type in a <see cref="HeapSnapshot"/>.</summary>
/// <param name="Type">The runtime's name for the type, e.g. <c>Lab02.Reports.ReportEndpoints+&lt;&gt;c__DisplayClass2_0</c>.</param>
/// <param name="Count">How many objects of the type the snapshot found.</param>
/// <param name="Bytes">Their shallow size: each object's own bytes, not what it references.</param>
public sealed record HeapTypeStats(string Type, long Count, long Bytes)
{
    /// <summary>The assembly file that defines the type, e.g. <c>Lab02.Broken.dll</c> (empty when unknown).</summary>
    public string Module { get; init; } = "";

    /// <summary>
    /// For a compiler-generated type (a closure, a state machine), its instance fields: for a closure, the
    /// variables its lambdas captured. Empty for other types.
    /// </summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    /// <summary>For a compiler-generated type, its methods: for a closure, the lambda bodies, named after the method that wrote them.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>
    /// In a live snapshot, the types of the objects that hold these objects, most bytes held first (three at most):
    /// each object counts for the object it was first reached from on a shortest path from a root, or for the kind
    /// of root (e.g. <c>[StrongHandle]</c>). Empty in a whole-heap snapshot.
    /// </summary>
    public IReadOnlyList<string> Holders { get; init; } = [];

    /// <summary>The type that holds most of these objects' bytes (see <see cref="Holders"/>); null in a whole-heap snapshot.</summary>
    public string? HeldBy => Holders.Count > 0 ? Holders[0] : null;

    /// <summary>
    /// In a live snapshot, what keeps one of these objects alive (one held by <see cref="HeldBy"/>): the types on its
    /// shortest path from a GC root, the object first and the root last, as SOS's <c>gcroot</c> prints it; a run of
    /// one type (a linked list) is one step with its length. Empty in a whole-heap snapshot.
    /// </summary>
    public IReadOnlyList<HeapPathStep> RootPath { get; init; } = [];

    /// <summary>A name a person can read; see <see cref="HeapTypeNames.Describe(HeapTypeStats)"/>.</summary>
    public string ReadableName => HeapTypeNames.Describe(this);
}

/// <summary>One step of a <see cref="HeapTypeStats.RootPath"/>: a type, or a root kind such as <c>[StrongHandle]</c>, and how many objects of it follow one another there.</summary>
public sealed record HeapPathStep(string Type, int Repeat);

/// <summary>
/// Counts and bytes by type of a .NET process's managed heap, taken with ClrMD (Microsoft.Diagnostics.Runtime).
/// A live snapshot (the default) walks the object graph from the GC roots, as a full collection's mark phase does,
/// and counts only what is reachable: what a leak keeps, without the garbage the next collection would free. Two
/// snapshots make a <see cref="HeapDiff"/>, the .NET counterpart of <c>go tool pprof -diff_base</c>.
/// </summary>
/// <remarks>
/// A snapshot reads a full dump that the target's runtime writes of itself on request (ClrMD's
/// <c>DataTarget.CreateSnapshotAndAttach</c>; on Windows, a process snapshot): the target is paused only while the
/// dump is written (<see cref="Pause"/>), the dump takes about as much space in the temporary folder as the process
/// takes in memory, and it is deleted as soon as it has been read. The target needs its diagnostic port (on unless
/// <c>DOTNET_EnableDiagnostics=0</c>) and the same user.
/// </remarks>
public sealed class HeapSnapshot
{
    private readonly Dictionary<string, HeapTypeStats> _byType;

    private HeapSnapshot(int processId, bool liveOnly, DateTimeOffset takenAt, TimeSpan pause, TimeSpan elapsed, IEnumerable<HeapTypeStats> types)
    {
        ProcessId = processId;
        LiveOnly = liveOnly;
        TakenAt = takenAt;
        Pause = pause;
        Elapsed = elapsed;
        Types = types.OrderByDescending(t => t.Bytes).ThenBy(t => t.Type, StringComparer.Ordinal).ToList();
        _byType = Types.ToDictionary(t => t.Type, StringComparer.Ordinal);
        Objects = Types.Sum(t => t.Count);
        Bytes = Types.Sum(t => t.Bytes);
    }

    /// <summary>The process the snapshot was taken of.</summary>
    public int ProcessId { get; }

    /// <summary>When its dump was written (UTC).</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>True when only objects reachable from a root were counted.</summary>
    public bool LiveOnly { get; }

    /// <summary>How long the dump took to write: the time the target was paused.</summary>
    public TimeSpan Pause { get; }

    /// <summary>How long the whole snapshot took: the dump, and the walk of its heap.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Every type found, by bytes, largest first.</summary>
    public IReadOnlyList<HeapTypeStats> Types { get; }

    /// <summary>Objects counted.</summary>
    public long Objects { get; }

    /// <summary>Their bytes.</summary>
    public long Bytes { get; }

    /// <summary>The figures of one type, by its exact runtime name; null when the snapshot holds none.</summary>
    public HeapTypeStats? Find(string type) => _byType.GetValueOrDefault(type);

    /// <summary>
    /// What keeps an object of <paramref name="type"/> alive, from the object to its GC root, with readable names:
    /// for a leak, <c>System.Byte[]</c>, the closure that holds it, the delegate, the callback list, the token source,
    /// ..., <c>[StrongHandle]</c>. Empty when the snapshot has no such object or is not a live one.
    /// </summary>
    public IReadOnlyList<string> RootPath(string type) =>
        Find(type)?.RootPath.Select(step =>
            (Find(step.Type) is { } stats ? stats.ReadableName : HeapTypeNames.Describe(step.Type)) +
            (step.Repeat > 1 ? string.Create(CultureInfo.InvariantCulture, $" (x{step.Repeat:N0}, one after another)") : "")).ToList() ?? [];

    /// <summary>
    /// Takes a snapshot of <paramref name="processId"/>, a .NET process on this machine: asks its runtime, through
    /// its diagnostic port, for a full dump of itself (the runtime's own <c>createdump</c> writes it to the
    /// temporary folder; the target is paused while it writes, about a second for a few hundred MB), counts the
    /// heap in the dump by type, and deletes the dump. The walk happens on the dump, so the target runs on meanwhile.
    /// Runs on the thread pool; <paramref name="ct"/> is checked before the dump is asked for.
    /// </summary>
    /// <param name="processId">A .NET process on this machine, e.g. <see cref="LabService.ProcessId"/>.</param>
    /// <param name="liveOnly">Count only objects reachable from roots (default); false counts everything on the heap, garbage included.</param>
    /// <param name="ct">Cancels before the dump.</param>
    /// <exception cref="InvalidOperationException">No .NET runtime in the process, or its heap could not be walked.</exception>
    public static Task<HeapSnapshot> TakeAsync(int processId, bool liveOnly = true, CancellationToken ct = default) =>
        Task.Run(() =>
        {
            ct.ThrowIfCancellationRequested();
            return Take(processId, liveOnly);
        }, ct);

    /// <summary>
    /// A snapshot of the calling process, taken the same way (a process cannot walk its own heap while it runs):
    /// what a test uses to count what survives inside its own test host. An earlier snapshot that the caller
    /// keeps is left out of it.
    /// </summary>
    /// <param name="liveOnly">Count only objects reachable from roots (default).</param>
    public static HeapSnapshot TakeOfCurrentProcess(bool liveOnly = true) => Take(Environment.ProcessId, liveOnly);

    // A dump rather than an attach: attaching with ptrace needs a permission containers often lack, and stops
    // the target for the whole walk (an attach that races a thread's exit can even leave it stopped for good).
    private static HeapSnapshot Take(int processId, bool liveOnly)
    {
        var clock = Stopwatch.StartNew();
        using var target = DataTarget.CreateSnapshotAndAttach(processId);
        var pause = clock.Elapsed;
        var takenAt = DateTimeOffset.UtcNow;
        // In this process, an earlier snapshot the caller keeps is on the heap: its objects, and what only they
        // reference, are left out (in a whole-heap snapshot, only its objects: their strings cannot be told apart).
        Func<string, bool>? skip = processId == Environment.ProcessId ? name => name.Contains(OwnTypes, StringComparison.Ordinal) : null;
        var types = Walk(target, liveOnly, skip);
        return new HeapSnapshot(processId, liveOnly, takenAt, pause, clock.Elapsed, types);
    }

    /// <summary>The <paramref name="top"/> largest types as a fixed-width table, with readable names.</summary>
    public string ToTable(int top = 15)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{(LiveOnly ? "live" : "all")} objects of process {ProcessId}: {Objects:N0} objects, {Megabytes(Bytes)} (paused {Pause.TotalMilliseconds:N0} ms for the dump)");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"bytes",14} {"count",10}  type");
        foreach (var t in Types.Take(top))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{t.Bytes,14:N0} {t.Count,10:N0}  {t.ReadableName}");
        }
        return text.ToString();
    }

    private static readonly string OwnTypes = typeof(HeapSnapshot).Namespace + ".Heap";

    internal static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    private static List<HeapTypeStats> Walk(DataTarget target, bool liveOnly, Func<string, bool>? skip = null)
    {
        var clr = target.ClrVersions.FirstOrDefault()
                  ?? throw new InvalidOperationException("No .NET runtime found in the process (is it a .NET Core 3.1+ process?).");
        using var runtime = clr.CreateRuntime(DacPath(clr), ignoreMismatch: true);
        var heap = runtime.Heap;
        var counts = new Dictionary<ClrType, Tally>();
        var unknown = new Tally();
        var parents = new Dictionary<ulong, ulong>(); // live walk: each object's parent, 0 for a root
        var roots = new Dictionary<ulong, string>();

        if (!liveOnly)
        {
            foreach (var obj in heap.EnumerateObjects())
            {
                if (!obj.IsValid || obj.IsFree || Skipped(obj)) continue;
                Count(obj, parent: null);
            }
        }
        else
        {
            // Breadth first, so that each object's recorded parent lies on a shortest path from a root.
            var queue = new Queue<(ClrObject Obj, string Parent)>();
            foreach (var root in heap.EnumerateRoots())
            {
                var obj = root.Object;
                if (!obj.IsValid || parents.ContainsKey(obj.Address) || Skipped(obj)) continue;
                parents[obj.Address] = 0;
                roots[obj.Address] = $"[{root.RootKind}]";
                queue.Enqueue((obj, roots[obj.Address]));
            }
            while (queue.TryDequeue(out var item))
            {
                Count(item.Obj, item.Parent);
                string? parentName = null;
                foreach (var child in item.Obj.EnumerateReferences(carefully: false, considerDependantHandles: true))
                {
                    if (!child.IsValid || parents.ContainsKey(child.Address) || Skipped(child)) continue;
                    parents[child.Address] = item.Obj.Address;
                    queue.Enqueue((child, parentName ??= item.Obj.Type?.Name ?? "?"));
                }
            }
        }

        var result = counts.Select(kv => Describe(kv.Key, kv.Value, heap, parents, roots)).ToList();
        if (unknown.Count > 0) result.Add(new HeapTypeStats("?", unknown.Count, unknown.Bytes));
        // Types loaded twice (one per load context) share a name: merge them.
        return result.GroupBy(t => t.Type, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.First() : g.First() with { Count = g.Sum(t => t.Count), Bytes = g.Sum(t => t.Bytes) })
            .ToList();

        bool Skipped(ClrObject obj) => skip is not null && skip(obj.Type?.Name ?? "");

        void Count(ClrObject obj, string? parent)
        {
            var tally = obj.Type is { } type ? CollectionsMarshal.GetValueRefOrAddDefault(counts, type, out _) ??= new Tally() : unknown;
            tally.Count++;
            tally.Bytes += (long)obj.Size;
            if (parent is null) return;
            tally.Parents[parent] = tally.Parents.GetValueOrDefault(parent) + (long)obj.Size;
            tally.Samples.TryAdd(parent, obj.Address);
        }
    }

    private static HeapTypeStats Describe(ClrType type, Tally tally, ClrHeap heap, Dictionary<ulong, ulong> parents, Dictionary<ulong, string> roots)
    {
        var holders = tally.Parents.OrderByDescending(p => p.Value).Take(3).Select(p => p.Key).ToArray();
        var name = type.Name ?? "?";
        var generated = HeapTypeNames.IsCompilerGenerated(name);
        return new HeapTypeStats(name, tally.Count, tally.Bytes)
        {
            Module = Path.GetFileName(type.Module?.Name ?? ""),
            Fields = generated ? type.Fields.Select(f => f.Name ?? "?").ToArray() : [],
            Methods = generated ? type.Methods.Select(m => m.Name ?? "?").Where(m => m.Contains('<', StringComparison.Ordinal)).Distinct().ToArray() : [],
            Holders = holders,
            RootPath = holders.Length == 0 ? [] : PathToRoot(tally.Samples[holders[0]], heap, parents, roots),
        };
    }

    // Up the recorded parents from one object to its root; runs of one type (a linked list) fold into one step.
    private static HeapPathStep[] PathToRoot(ulong address, ClrHeap heap, Dictionary<ulong, ulong> parents, Dictionary<ulong, string> roots)
    {
        const int maxSteps = 100_000;
        var path = new List<HeapPathStep>();
        for (var (at, steps) = (address, 0); steps < maxSteps; steps++)
        {
            var name = heap.GetObjectType(at)?.Name ?? "?";
            if (path.Count > 0 && path[^1].Type == name) path[^1] = path[^1] with { Repeat = path[^1].Repeat + 1 };
            else path.Add(new HeapPathStep(name, 1));
            if (!parents.TryGetValue(at, out var parent) || parent == 0)
            {
                path.Add(new HeapPathStep(roots.GetValueOrDefault(at, "[?]"), 1));
                break;
            }
            at = parent;
        }
        return [.. path];
    }

    // ClrMD finds no DAC on its own for these runtimes (it reads version 0.0 from the module and looks in vain), so
    // it is given the one that ships beside the target's own runtime; ignoreMismatch accepts it despite that version.
    private static string DacPath(ClrInfo clr)
    {
        var name = OperatingSystem.IsWindows() ? "mscordaccore.dll" : OperatingSystem.IsMacOS() ? "libmscordaccore.dylib" : "libmscordaccore.so";
        var targetRuntime = Path.GetDirectoryName(clr.ModuleInfo.FileName);
        if (!string.IsNullOrEmpty(targetRuntime) && File.Exists(Path.Combine(targetRuntime, name))) return Path.Combine(targetRuntime, name);
        var ownRuntime = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, name);
        return File.Exists(ownRuntime)
            ? ownRuntime
            : throw new InvalidOperationException($"No {name} beside the target's runtime ({targetRuntime}) nor this process's; ClrMD needs it to read the heap.");
    }

    private sealed class Tally
    {
        public long Count;
        public long Bytes;
        public readonly Dictionary<string, long> Parents = new(StringComparer.Ordinal);
        public readonly Dictionary<string, ulong> Samples = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Induces a full, blocking, compacting garbage collection in another .NET process through its diagnostic port,
    /// as <c>dotnet-trace</c> and PerfView do (an EventPipe session with the runtime's GCHeapCollect keyword), then
    /// ends the session. Afterwards the process's own figures (<c>dotnet_gc_heap_size_bytes</c> on /metrics) show
    /// what survives, not what the last collection happened to leave.
    /// </summary>
    /// <param name="processId">A .NET process on this machine with its diagnostic port enabled (the default).</param>
    /// <param name="ct">Cancels the wait.</param>
    public static async Task CollectGarbageAsync(int processId, CancellationToken ct = default)
    {
        const long gcKeyword = 0x1, gcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(processId);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, gcKeyword | gcHeapCollectKeyword) };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, ct).ConfigureAwait(false);
        // The runtime collects when the session starts; its events must be read for the session to end cleanly.
        var drain = session.EventStream.CopyToAsync(Stream.Null, ct);
        await session.StopAsync(ct).ConfigureAwait(false);
        await drain.ConfigureAwait(false);
    }
}

/// <summary>One type's change between two heap snapshots.</summary>
public sealed record HeapTypeGrowth(string Type, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter)
{
    /// <summary>Objects gained (negative when lost).</summary>
    public long CountGrowth => CountAfter - CountBefore;

    /// <summary>Bytes gained (negative when lost).</summary>
    public long BytesGrowth => BytesAfter - BytesBefore;

    /// <summary>The type's figures in the later snapshot (or the earlier one when it is gone from the later).</summary>
    public HeapTypeStats? Stats { get; init; }

    /// <summary>A name a person can read.</summary>
    public string ReadableName => Stats is null ? HeapTypeNames.Describe(Type) : HeapTypeNames.Describe(Stats);

    /// <summary>What holds most of these objects in the later snapshot (live snapshots only).</summary>
    public string? HeldBy => Stats?.HeldBy;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{ReadableName}: {CountGrowth:+#,0;-#,0;0} objects, {BytesGrowth:+#,0;-#,0;0} bytes");
}

/// <summary>
/// What grew between two heap snapshots of the same process, type by type: the .NET answer to
/// <c>go tool pprof -diff_base before.out after.out</c>. A leak shows as types whose live count grows with the
/// requests served: the leaked buffer, and the objects on the path that holds it.
/// </summary>
public sealed class HeapDiff
{
    private HeapDiff(HeapSnapshot before, HeapSnapshot after, IReadOnlyList<HeapTypeGrowth> types)
    {
        Before = before;
        After = after;
        Types = types;
    }

    /// <summary>The earlier snapshot.</summary>
    public HeapSnapshot Before { get; }

    /// <summary>The later snapshot.</summary>
    public HeapSnapshot After { get; }

    /// <summary>Every type of either snapshot, by bytes grown, then objects grown, largest first.</summary>
    public IReadOnlyList<HeapTypeGrowth> Types { get; }

    /// <summary>Bytes gained over the whole heap.</summary>
    public long BytesGrowth => After.Bytes - Before.Bytes;

    /// <summary>Objects gained over the whole heap.</summary>
    public long CountGrowth => After.Objects - Before.Objects;

    /// <summary>Compares two snapshots (normally of one process, before and after some load).</summary>
    public static HeapDiff Between(HeapSnapshot before, HeapSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var names = before.Types.Select(t => t.Type).Union(after.Types.Select(t => t.Type), StringComparer.Ordinal);
        var types = names.Select(name =>
            {
                var b = before.Find(name);
                var a = after.Find(name);
                return new HeapTypeGrowth(name, b?.Count ?? 0, a?.Count ?? 0, b?.Bytes ?? 0, a?.Bytes ?? 0) { Stats = a ?? b };
            })
            .OrderByDescending(g => g.BytesGrowth).ThenByDescending(g => g.CountGrowth).ThenBy(g => g.Type, StringComparer.Ordinal)
            .ToList();
        return new HeapDiff(before, after, types);
    }

    /// <summary>The <paramref name="n"/> types that gained the most bytes (only types that grew).</summary>
    public IReadOnlyList<HeapTypeGrowth> Top(int n) => Types.Where(t => t.BytesGrowth > 0).Take(n).ToList();

    /// <summary>
    /// The types that gained at least <paramref name="objects"/> objects, by bytes grown: with the number of requests
    /// served between the snapshots, the types of which every request left one behind, small ones included.
    /// </summary>
    public IReadOnlyList<HeapTypeGrowth> GrewBy(long objects) => Types.Where(t => t.CountGrowth >= objects).ToList();

    /// <summary>The <paramref name="n"/> types that gained the most objects (small objects of a leak rank low by bytes).</summary>
    public IReadOnlyList<HeapTypeGrowth> TopByCount(int n) =>
        Types.Where(t => t.CountGrowth > 0).OrderByDescending(t => t.CountGrowth).ThenByDescending(t => t.BytesGrowth).Take(n).ToList();

    /// <summary>One type's change, by its exact runtime name; null when neither snapshot holds it.</summary>
    public HeapTypeGrowth? Find(string type) => Types.FirstOrDefault(t => t.Type == type);

    /// <summary>The <paramref name="n"/> types that grew most, as a fixed-width table with what holds them.</summary>
    public string ToTable(int n = 10)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"heap growth of process {After.ProcessId} over {(After.TakenAt - Before.TakenAt).TotalSeconds:N0} s: {BytesGrowth:+#,0;-#,0;0} bytes ({HeapSnapshot.Megabytes(BytesGrowth)}), {CountGrowth:+#,0;-#,0;0} objects");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"bytes",14} {"objects",9}  type (held by)");
        foreach (var t in Top(n))
        {
            var heldBy = t.HeldBy is null ? "" : $"  <- {HeapTypeNames.Short(t.HeldBy)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"{t.BytesGrowth,14:+#,0;-#,0;0} {t.CountGrowth,9:+#,0;-#,0;0}  {t.ReadableName}{heldBy}");
        }
        return text.ToString();
    }
}

/// <summary>
/// Readable names for the types the C# compiler generates. A lambda that captures local variables turns into a
/// method of a hidden class, <c>&lt;&gt;c__DisplayClassM_S</c> (M is the position, among its type's members, of the method
/// that declared the lambdas; S numbers the scope inside it); each captured variable becomes one of its fields, and every lambda of that scope shares one
/// instance of it. Lambdas that capture nothing live on the singleton <c>&lt;&gt;c</c>; an async method becomes a
/// state machine <c>&lt;Method&gt;d__N</c>.
/// </summary>
public static partial class HeapTypeNames
{
    /// <summary>True for names of compiler-generated types: closures, lambda caches, state machines.</summary>
    public static bool IsCompilerGenerated(string type) => type.Contains("<", StringComparison.Ordinal) && TopLevel(type) is not null;

    /// <summary>The name without its namespace: <c>ReportEndpoints+&lt;&gt;c__DisplayClass2_0</c>.</summary>
    public static string Short(string type)
    {
        // Only the outermost name carries the namespace; generic arguments keep theirs.
        var generic = type.IndexOf('<', StringComparison.Ordinal);
        var nested = type.IndexOf('+', StringComparison.Ordinal);
        var end = new[] { generic, nested, type.Length }.Where(i => i >= 0).Min();
        var dot = type.LastIndexOf('.', Math.Max(0, end - 1));
        return dot < 0 || end == 0 ? type : type[(dot + 1)..];
    }

    /// <summary>A readable name from the type name alone (the closure's captured variables are unknown).</summary>
    public static string Describe(string type) => Describe(new HeapTypeStats(type, 0, 0));

    /// <summary>
    /// A readable name: <c>closure of ReportEndpoints.Get capturing {id, audit, report}
    /// [ReportEndpoints+&lt;&gt;c__DisplayClass2_0]</c>; other types keep their runtime name.
    /// </summary>
    public static string Describe(HeapTypeStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var type = stats.Type;
        if (TopLevel(type) is not { } m) return type;
        var shortName = Short(type);

        var owner = Short(type[..m.Index]);
        if (m.Groups["closure"].Success)
        {
            // The lambdas in the closure are named <DeclaringMethod>b__N: that names the method.
            var method = stats.Methods.Select(n => LambdaOwner().Match(n)).FirstOrDefault(x => x.Success)?.Groups["method"].Value;
            var where = method is null ? $"{owner} (member #{m.Groups["method"].Value})" : $"{owner}.{method}";
            var captured = stats.Fields.Count == 0 ? "" : $" capturing {{{string.Join(", ", stats.Fields.Select(Field))}}}";
            return $"closure of {where}{captured} [{shortName}]";
        }
        if (m.Groups["cache"].Success) return $"lambdas of {owner} that capture nothing (one shared instance) [{shortName}]";
        return $"state machine of {owner}.{m.Groups["async"].Value} (async or iterator) [{shortName}]";
    }

    // Fields the compiler names for itself: the enclosing instance, and the closure of an enclosing scope.
    private static string Field(string name) => name switch
    {
        "<>4__this" => "this",
        _ when name.StartsWith("CS$<>8__locals", StringComparison.Ordinal) => "outer scope's closure",
        _ => name,
    };

    // The first compiler-generated segment of the type's own name, not one inside its generic arguments
    // (AsyncStateMachineBox<..., Outer+<Run>d__4> is a runtime type that merely carries a state machine).
    private static Match? TopLevel(string type)
    {
        for (var m = Generated().Match(type); m.Success; m = m.NextMatch())
        {
            if (GenericDepth(type, m.Index) == 0) return m;
        }
        return null;
    }

    // How many generic argument lists are open at a position. A '<' right after '+' (or another such '<') opens a
    // compiler-made name such as <Get>d__3 or <<Main>$>b__0, not an argument list, and is skipped to its '>'.
    private static int GenericDepth(string type, int position)
    {
        var depth = 0;
        for (var i = 0; i < position; i++)
        {
            var c = type[i];
            if (c == '<' && i > 0 && type[i - 1] is '+' or '<')
            {
                var names = 1;
                while (names > 0 && ++i < position) names += type[i] switch { '<' => 1, '>' => -1, _ => 0 };
            }
            else if (c == '<') depth++;
            else if (c == '>' && depth > 0) depth--;
        }
        return depth;
    }

    [GeneratedRegex(@"\+(<>c__DisplayClass(?<method>\d+)_(?<scope>\d+)(?<closure>)|(?<cache><>c)$|<(?<async>[^<>]+)>d__\d+)")]
    private static partial Regex Generated();

    [GeneratedRegex(@"^<(?<method>[^<>]+)>b__")]
    private static partial Regex LambdaOwner();
}

/// <summary>
/// <c>dotnet-gcdump</c> (from the repository's tool manifest; <c>dotnet tool restore</c> once first): the tool an
/// engineer runs against a service in production. <c>collect</c> makes the runtime walk its own heap during an
/// induced full collection and write the graph to a .gcdump file (open it in Visual Studio or PerfView);
/// <c>report</c> prints one line per type, largest first.
/// </summary>
public static class GcDump
{
    /// <summary>Runs <c>dotnet-gcdump collect -p PID -o PATH</c>; returns what it printed.</summary>
    public static Task<string> CollectAsync(int processId, string path, CancellationToken ct = default) =>
        DotnetDiagnostics.RunToolAsync("dotnet-gcdump", ["collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "-o", path], TimeSpan.FromSeconds(120), ct);

    /// <summary>Runs <c>dotnet-gcdump report PATH</c>; returns the report.</summary>
    /// <remarks>
    /// In this version, a row's first column is the size of one object of the row (not the row's total), which is
    /// why the report is sorted by object size; its count column and the totals at the top are exact.
    /// </remarks>
    public static Task<string> ReportAsync(string path, CancellationToken ct = default) =>
        DotnetDiagnostics.RunToolAsync("dotnet-gcdump", ["report", path], TimeSpan.FromSeconds(120), ct);

    /// <summary>
    /// Dumps <paramref name="processId"/>'s heap to a temporary file (the tool forces a full collection first), reads
    /// the tool's report of it and deletes the file: the one way the toolkit takes a gcdump for its text.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tool failed or is not restored.</exception>
    public static async Task<string> CollectReportAsync(int processId, CancellationToken ct = default)
    {
        var file = Path.Combine(Path.GetTempPath(), $"workshop-{processId}-{Guid.NewGuid():N}.gcdump");
        try
        {
            await CollectAsync(processId, file, ct).ConfigureAwait(false);
            return await ReportAsync(file, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The report's heading (the totals and the column names) and the rows whose text matches <paramref name="pattern"/>.</summary>
    public static IReadOnlyList<string> Rows(string report, string pattern)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = report.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var columns = lines.FindIndex(l => l.Contains("Count", StringComparison.Ordinal) && l.Contains("Type", StringComparison.Ordinal));
        var heading = lines.Take(columns + 1).Where(l => l.Trim().Length > 0);
        var rows = lines.Skip(columns + 1).Where(l => Regex.IsMatch(l, pattern));
        return [.. heading, .. rows];
    }
}
