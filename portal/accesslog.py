"""gunicorn's access log without working secrets (--logger-class portal.accesslog.Logger).

A tracking, view-once or download link carries its secret in the path; gunicorn writes the
request line and the Referer of every request. The portal's own logs are redacted by
portal.logfilters; this does the same for gunicorn's access log (nginx's access log:
scripts/nginx.conf.template).
"""

from gunicorn.glogging import Logger as GunicornLogger

from .logfilters import redact_paths

# The atoms of gunicorn's access log format that hold a path: the request line, the path, the
# query string, the Referer (and the raw URI some formats use).
_PATH_ATOMS = ("r", "U", "q", "f", "{raw_uri}e", "{referer}i")


class Logger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in _PATH_ATOMS:
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = redact_paths(value)
        return atoms
