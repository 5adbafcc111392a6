namespace Workshop.Pipeline;

/// <summary>Names this service for <c>WebApplicationFactory&lt;T&gt;</c>.</summary>
public sealed class Marker;
