using Lab08.Proxy;

// The load balancer of lab 08: round robin over the replicas named in Proxy:Replicas (comma-separated URLs).
var app = ProxyApp.Create(args);
app.Run();
