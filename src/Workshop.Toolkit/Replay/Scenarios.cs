using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Workshop.Toolkit.Replay;

/// <summary>
/// Finds each lab's replay scenario where the lab keeps it: one project in <c>labs/NN-name/Replay/</c> holding one
/// <see cref="LabScenario"/>. The project is built (Release, like the services) and loaded on first use, so a new lab
/// needs no line anywhere else: the CLI and the notebooks find it as <see cref="LabService"/> finds its variants.
/// </summary>
public static class Scenarios
{
    /// <summary>The folder of a lab that holds its replay scenario.</summary>
    public const string Folder = "Replay";

    private static readonly ConcurrentDictionary<string, Lazy<Task<LabScenario>>> Loaded = new(StringComparer.Ordinal);

    /// <summary>The labs of this repository that have a replay, in lab order.</summary>
    public static IReadOnlyList<LabInfo> Replayable() => Replayable(Repo.Root);

    /// <summary>The labs under <paramref name="root"/> that have a replay, in lab order.</summary>
    public static IReadOnlyList<LabInfo> Replayable(string root) => Labs.All(root).Where(HasReplay).ToList();

    /// <summary>True when <paramref name="lab"/> holds a <c>Replay/</c> project.</summary>
    public static bool HasReplay(LabInfo lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var folder = Path.Combine(lab.Directory, Folder);
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.csproj").Any();
    }

    /// <summary>The scenario of a lab ("01", "1" or "01-logging-blocking"), built and loaded on first use.</summary>
    /// <exception cref="ArgumentException">No such lab, or it has no replay.</exception>
    /// <exception cref="InvalidOperationException">The scenario project did not build, or holds no single scenario for this lab.</exception>
    public static Task<LabScenario> LoadAsync(string lab, CancellationToken ct = default) => LoadAsync(Labs.Find(lab), ct);

    /// <summary>The scenario of <paramref name="lab"/>, built and loaded on first use.</summary>
    public static async Task<LabScenario> LoadAsync(LabInfo lab, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (!HasReplay(lab))
        {
            var replayable = Labs.All(Path.GetDirectoryName(Path.GetDirectoryName(lab.Directory))!).Where(HasReplay).Select(l => l.Id).ToList();
            throw new ArgumentException(
                $"Lab {lab.Name} has no replay yet (no project in labs/{lab.Name}/{Folder}/); replayable: {(replayable.Count == 0 ? "none" : string.Join(", ", replayable))}.",
                nameof(lab));
        }

        var project = lab.ProjectFile(Folder);
        var entry = Loaded.GetOrAdd(project, p => new Lazy<Task<LabScenario>>(() => BuildAndLoadAsync(lab, p)));
        try
        {
            return await entry.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<Task<LabScenario>>>(project, entry)); // the next call tries again
            throw;
        }
    }

    /// <summary><see cref="LoadAsync(string, CancellationToken)"/>, waited for: for a notebook cell or a script.</summary>
    public static LabScenario Find(string lab) => LoadAsync(lab).GetAwaiter().GetResult();

    private static async Task<LabScenario> BuildAndLoadAsync(LabInfo lab, string project)
    {
        var dll = await DotnetBuild.EnsureBuiltAsync(project, CancellationToken.None).ConfigureAwait(false);
        var types = ScenarioTypes(Load(dll));
        if (types.Count != 1)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(project)} must hold exactly one LabScenario; it holds {types.Count}{(types.Count > 0 ? ": " + string.Join(", ", types.Select(t => t.Name)) : "")}.");
        }

        var scenario = (LabScenario)Activator.CreateInstance(types[0])!;
        scenario.Folder = lab;
        return scenario.Lab == lab.Name
            ? scenario
            : throw new InvalidOperationException($"{types[0].FullName} in {lab.Name}/{Folder} says it replays '{scenario.Lab}'; it must say '{lab.Name}'.");
    }

    private static List<Type> ScenarioTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => typeof(LabScenario).IsAssignableFrom(t) && !t.IsAbstract).ToList();

    private static Assembly Load(string dll)
    {
        // A notebook may have loaded the same scenario assembly itself (#r, to use its constants): use that one, if it
        // was bound to this toolkit (a host that runs several notebooks may hold other copies of both).
        var name = AssemblyName.GetAssemblyName(dll).Name;
        return AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name && ScenarioTypes(a).Count > 0)
               ?? new ScenarioLoadContext(dll).LoadFromAssemblyPath(dll);
    }

    /// <summary>
    /// Loads a scenario assembly and its own dependencies from its build folder, and shares with the host every
    /// assembly the host has loaded already: this toolkit above all, so that <see cref="LabScenario"/> is one type.
    /// </summary>
    private sealed class ScenarioLoadContext(string mainAssembly) : AssemblyLoadContext($"replay:{Path.GetFileNameWithoutExtension(mainAssembly)}")
    {
        private static readonly Assembly Toolkit = typeof(LabScenario).Assembly;
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (string.Equals(assemblyName.Name, Toolkit.GetName().Name, StringComparison.OrdinalIgnoreCase)) return Toolkit;
            // The toolkit's own dependencies from the context it lives in, then anything else the host holds.
            var shared = (GetLoadContext(Toolkit)?.Assemblies ?? []).Concat(AppDomain.CurrentDomain.GetAssemblies())
                .FirstOrDefault(a => string.Equals(a.GetName().Name, assemblyName.Name, StringComparison.OrdinalIgnoreCase));
            if (shared is not null) return shared;
            return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }
    }
}
