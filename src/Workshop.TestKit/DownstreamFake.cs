using System.Reflection;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.TestKit;

/// <summary>
/// The downstream fake for a spec, as a real process on its own loopback port: the build of it that the spec's own
/// build produced (the lab's Tests project references <c>src/Workshop.Downstream</c>), so a test run builds nothing.
/// </summary>
public static class DownstreamFake
{
    private static readonly string Configuration =
        typeof(DownstreamFake).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Starts a fresh fake, answering as <paramref name="behaviour"/> says; dispose it to stop it.</summary>
    /// <exception cref="FileNotFoundException">The fake is not built: the lab's Tests project does not reference it.</exception>
    public static Task<Downstream> StartAsync(DownstreamBehaviour? behaviour = null, CancellationToken ct = default)
    {
        var project = Downstream.ProjectFile;
        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", Configuration, "net10.0", "Workshop.Downstream.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException(
                $"The downstream fake has no {Configuration} build at {dll}: reference {Path.GetRelativePath(Repo.Root, project)} from the lab's Tests project " +
                "(<ProjectReference ... ReferenceOutputAssembly=\"false\" />) so that building the spec builds it.", dll);
        }
        return Downstream.StartAsync(dll, behaviour, ct);
    }
}
