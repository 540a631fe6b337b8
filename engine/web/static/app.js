// convenant: the pages work without this script; it only adds conveniences (shipped, never loaded
// from the internet; the content security policy allows no other script).
"use strict";
