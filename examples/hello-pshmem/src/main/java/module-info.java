/**
 * The example program, as a named module: it needs the pshmem API only; the backend is found at run time.
 */
module org.pshmem.example.hello
{
    requires org.pshmem.api;
}
