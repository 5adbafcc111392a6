using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab04.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab04.Broken.Marker))]
