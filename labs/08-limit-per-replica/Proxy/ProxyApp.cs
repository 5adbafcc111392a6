using Workshop.ServiceKit;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace Lab08.Proxy;

/// <summary>
/// The reverse proxy in front of the replicas, as a platform's load balancer sits in front of a scaled-out service:
/// YARP, every path forwarded to the next replica in turn (round robin), its own <c>/healthz</c> and <c>/metrics</c>.
/// The spec starts it in its own process, the replay and the notebook as a process of its own; the same code either way.
/// </summary>
public static class ProxyApp
{
    public const string MeterName = "Lab08.Proxy";
    public const string ReplicasKey = "Proxy:Replicas";

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddWorkshopDefaults(MeterName);
        var replicas = (builder.Configuration[ReplicasKey] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (replicas.Length == 0) throw new InvalidOperationException($"{ReplicasKey} names no replica: pass their URLs, comma-separated (--{ReplicasKey}=http://127.0.0.1:5001,http://127.0.0.1:5002).");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "everything", ClusterId = "replicas", Match = new RouteMatch { Path = "{**path}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "replicas",
                    LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                    Destinations = replicas.Select((url, i) => (Name: $"replica-{i + 1}", Url: url))
                        .ToDictionary(r => r.Name, r => new DestinationConfig { Address = r.Url }),
                },
            ]);
        var app = builder.Build();
        app.MapWorkshopEndpoints();
        app.MapReverseProxy();
        return app;
    }
}
