using Lab10.Backend;

// The inventory backend of lab 10: answers stock checks over one TCP connection per client (Backend:TcpPort), and
// drops the share of answers Backend:DropRate says (PUT /control to change it).
var app = BackendApp.Create(args);
app.Run();
