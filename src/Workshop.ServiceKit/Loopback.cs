using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Workshop.ServiceKit;

/// <summary>
/// An in-process web host on a free port of 127.0.0.1 (a provider a benchmark calls, the CLI's live page, a service
/// under test on Kestrel): never reachable from another machine, never clashing with a port in use.
/// </summary>
public static class Loopback
{
    /// <summary>A slim builder whose Kestrel listens on a free loopback port, with logging off (a benchmark measures no log lines).</summary>
    public static WebApplicationBuilder CreateSlimBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>The address Kestrel took, once the host has started (<c>http://127.0.0.1:PORT/</c>, with the slash).</summary>
    /// <exception cref="InvalidOperationException">The host has not started, or started with no address.</exception>
    public static Uri BoundAddress(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel has no address: the host has not started, or listens on none.");
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
