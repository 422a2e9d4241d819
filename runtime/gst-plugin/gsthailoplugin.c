/* libgsthailo.so: the GStreamer plugin "hailo" of hailort-sim (docs/gstreamer.md).
 *
 * The elements are Python (hailort_sim.gst); this file only gives them libgsthailo's plugin,
 * with its name and details (gsthailoplugin.cpp of HailoRT 4.21.0), so `gst-inspect-1.0 hailo`
 * lists them as on a board. gst-python's loader cannot: the elements it loads belong to its own
 * plugin, "python", and a plugin registered from Python is neither sent back by
 * gst-plugin-scanner nor kept in the registry cache, which hold only plugins that are files.
 *
 * plugin_init starts the system's Python if the process has none (as gst-python's loader does)
 * and lets hailort_sim.gst.plugin register the elements on this plugin. Python is reached with
 * dlsym, so building needs GStreamer's headers and no Python headers. */
#include <dlfcn.h>
#include <stdio.h>

#include <gst/gst.h>

#ifndef HAILO_LIBPYTHON
#error "HAILO_LIBPYTHON: the soname of the libpython to embed, e.g. libpython3.11.so.1.0"
#endif

#define PACKAGE "hailo"
#define VERSION "1.0"

typedef int (*IntFunc) (void);
typedef void (*InitializeExFunc) (int);
typedef int (*GILEnsureFunc) (void);
typedef void (*GILReleaseFunc) (int);
typedef int (*RunSimpleStringFunc) (const char *);
typedef void *(*SaveThreadFunc) (void);

static void *
python_symbol (void *lib, const char *name)
{
  void *sym = dlsym (lib, name);
  if (sym == NULL)
    g_warning ("hailo plugin: %s not found in %s", name, HAILO_LIBPYTHON);
  return sym;
}

static gboolean
plugin_init (GstPlugin * plugin)
{
  /* A Python application has its interpreter; anything else gets libpython, loaded global so
   * that extension modules (numpy, ctypes) find its symbols. */
  void *lib = RTLD_DEFAULT;     /* (NULL on glibc) */
  if (dlsym (RTLD_DEFAULT, "Py_IsInitialized") == NULL
      && (lib = dlopen (HAILO_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL)) == NULL) {
    g_warning ("hailo plugin: cannot load %s: %s", HAILO_LIBPYTHON, dlerror ());
    return FALSE;
  }
  IntFunc is_initialized = (IntFunc) python_symbol (lib, "Py_IsInitialized");
  InitializeExFunc initialize = (InitializeExFunc) python_symbol (lib, "Py_InitializeEx");
  GILEnsureFunc gil_ensure = (GILEnsureFunc) python_symbol (lib, "PyGILState_Ensure");
  GILReleaseFunc gil_release = (GILReleaseFunc) python_symbol (lib, "PyGILState_Release");
  RunSimpleStringFunc run = (RunSimpleStringFunc) python_symbol (lib, "PyRun_SimpleString");
  SaveThreadFunc save_thread = (SaveThreadFunc) python_symbol (lib, "PyEval_SaveThread");
  if (!is_initialized || !initialize || !gil_ensure || !gil_release || !run || !save_thread)
    return FALSE;

  if (!is_initialized ()) {
    initialize (0);             /* no signal handlers: the application owns SIGINT */
    save_thread ();             /* the GIL is taken per call, by whichever thread calls Python */
  }
  /* A runtime that cannot be imported is said in one line, not as a traceback. */
  volatile gint registered = 0;
  gchar code[512];
  g_snprintf (code, sizeof code,
      "try:\n"
      "    from hailort_sim.gst.plugin import register\n"
      "except Exception as e:\n"
      "    import sys\n"
      "    sys.stderr.write(f'hailo plugin: cannot import hailort_sim ({type(e).__name__}: {e})\\n')\n"
      "else:\n"
      "    register(%" G_GUINTPTR_FORMAT ", %" G_GUINTPTR_FORMAT ")\n",
      (guintptr) plugin, (guintptr) & registered);
  int state = gil_ensure ();
  run (code);
  gil_release (state);
  return registered != 0;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hailo, "hailo gstreamer plugin", plugin_init,
    VERSION, GST_LICENSE_UNKNOWN, "GStreamer", "http://gstreamer.net/")
