using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab05.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab05.Broken.Marker))]
