using Xunit.Abstractions;

namespace Workshop.TestKit;

/// <summary>The variant one spec run is aimed at (fixed, broken, or a named broken variant).</summary>
public sealed class LabTarget : IXunitSerializable
{
    public const string FixedName = "fixed";
    public const string BrokenName = "broken";

    [Obsolete("Called by the de-serializer")]
    public LabTarget() { }

    public LabTarget(string name, Type marker, string? contentRoot = null)
    {
        Name = name;
        Marker = marker;
        ContentRoot = contentRoot;
    }

    public string Name { get; private set; } = "";

    /// <summary>The marker type of the variant's service (its assembly holds the service's entry point).</summary>
    public Type Marker { get; private set; } = typeof(object);

    /// <summary>
    /// The folder the service reads its settings from, when not its own project's (an alternative fix has Broken's);
    /// null for the default.
    /// </summary>
    public string? ContentRoot { get; private set; }

    public bool IsFixed => Name.Equals(FixedName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts the variant in-process (WebApplicationFactory / TestServer) with the given settings (knobs).</summary>
    public LabApp Start(params (string Key, string Value)[] settings) => LabApp.Start(this, settings, configure: null);

    /// <summary>Starts the variant with settings and further host configuration (test services, fake time).</summary>
    public LabApp Start(Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> configure, params (string Key, string Value)[] settings) =>
        LabApp.Start(this, settings, configure);

    /// <summary>
    /// Starts the service on Kestrel on a free loopback port (<see cref="LabApp.BaseAddress"/>), for incidents that
    /// live in sockets (connections, pools, timeouts), which a TestServer does not have.
    /// </summary>
    public LabApp StartOnKestrel(params (string Key, string Value)[] settings) => LabApp.Start(this, settings, configure: null, kestrel: true);

    /// <summary>Starts the service on Kestrel with settings and further host configuration (test services, fake time).</summary>
    public LabApp StartOnKestrel(Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> configure, params (string Key, string Value)[] settings) =>
        LabApp.Start(this, settings, configure, kestrel: true);

    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Name), Name);
        info.AddValue(nameof(Marker), Marker.AssemblyQualifiedName);
        info.AddValue(nameof(ContentRoot), ContentRoot);
    }

    public void Deserialize(IXunitSerializationInfo info)
    {
        Name = info.GetValue<string>(nameof(Name));
        var markerName = info.GetValue<string>(nameof(Marker));
        Marker = Type.GetType(markerName, throwOnError: true)!;
        ContentRoot = info.GetValue<string?>(nameof(ContentRoot));
    }

    public override string ToString() => Name;
}
